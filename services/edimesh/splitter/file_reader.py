"""Reads a staged file in fixed chunks in a worker thread, one chunk ahead of its consumer.

The event loop never blocks on disk: each `readinto` runs in the default executor while the
loop scans the previous chunk. Two buffers alternate, so memory is two chunks whatever the
file size. A consumer must be done with a chunk before asking for the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from edimesh.mesh.staging import StagedFileMissingError, StagedFileUnreadableError


def _open(path: Path) -> BinaryIO:
    return path.open("rb", buffering=0)


def _readinto(fh: BinaryIO, buffer: bytearray) -> int:
    return fh.readinto(buffer)  # type: ignore[attr-defined, no-any-return]


async def read_chunks(path: Path, chunk_bytes: int) -> AsyncIterator[memoryview]:
    """Yield views of successive chunks. Raises StagedFile* errors, never a bare OSError."""
    try:
        fh = await asyncio.to_thread(_open, path)
    except FileNotFoundError:
        raise StagedFileMissingError("the staged file does not exist") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StagedFileUnreadableError(f"the staged file cannot be opened ({reason})") from None
    buffers = (bytearray(chunk_bytes), bytearray(chunk_bytes))
    turn = 0
    pending: asyncio.Future[int] | None = None
    try:
        pending = asyncio.ensure_future(asyncio.to_thread(_readinto, fh, buffers[turn]))
        while True:
            try:
                n = await pending
            except OSError as exc:
                raise StagedFileUnreadableError(
                    f"reading the staged file failed ({exc.strerror})"
                ) from None
            pending = None
            if not n:
                return
            current = buffers[turn]
            turn ^= 1
            pending = asyncio.ensure_future(asyncio.to_thread(_readinto, fh, buffers[turn]))
            with memoryview(current) as view:
                yield view[:n]
    finally:
        if pending is not None:  # never close the file under a read still running
            with contextlib.suppress(BaseException):
                await asyncio.shield(pending)
        await asyncio.to_thread(fh.close)
