"""Pipelined, resumable download of one remote file into a part file, hashing as bytes arrive.

Up to `requests` reads of `block` bytes are in flight, each one SFTP request; their results are
consumed in offset order, so the part file and its sha256 always cover exactly the bytes
[0, written). When the connection drops, `PartnerLink.run` calls `_fetch` again on a new session
and it resumes at `written`: the last good offset. A part file resumed after a crash (staging.py)
starts there too.

Writing and hashing stay in the event loop thread: handing blocks to a worker thread measured
slower on the 2-core benchmark machine (GIL hand-offs cost more than the overlap gained).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from typing import cast

import asyncssh

from edimesh.transfer.errors import RemoteFileChangedError, RemoteFileUnreadableError
from edimesh.transfer.link import CONNECTION_FAILURES, PartnerLink
from edimesh.transfer.ports import Part


@dataclass(frozen=True, slots=True)
class ReadPlan:
    block_bytes: int  # 0: the largest read the server allows
    requests: int


async def download(
    link: PartnerLink, remote_path: str, size: int, part: Part, plan: ReadPlan
) -> str:
    """Fill `part` up to the remote file's `size` bytes, from `part.written` on; return the
    sha256 (hex) of the whole file."""

    async def fetch(sftp: asyncssh.SFTPClient) -> None:
        await _fetch(sftp, remote_path, size, part, plan=plan)

    if part.written < size or size == 0:
        await link.run(fetch)
    elif part.written > size:
        raise RemoteFileChangedError("staged prefix is longer than the remote file")
    return part.hexdigest()


async def _fetch(
    sftp: asyncssh.SFTPClient, remote_path: str, size: int, part: Part, *, plan: ReadPlan
) -> None:
    try:
        # block_size=0: each read is one SFTP request, answered as is. asyncssh's default
        # splits and reassembles reads in extra tasks and copies; the pipelining is ours.
        remote = await sftp.open(remote_path, "rb", block_size=0)
        try:
            block = plan.block_bytes or sftp.limits.max_read_len or 32768
            blocks = _in_order(remote, part.written, size, block, plan.requests)
            async with aclosing(blocks):  # cancel the reads in flight if writing fails
                async for data in blocks:
                    part.write(data)
            final = await remote.stat()
        finally:
            _close_in_background(remote)
    except asyncssh.SFTPNoSuchFile:
        raise RemoteFileChangedError("remote file vanished during the download") from None
    except asyncssh.SFTPError as exc:
        if isinstance(exc, CONNECTION_FAILURES):
            raise
        raise RemoteFileUnreadableError(f"server refused the read ({type(exc).__name__})") from None
    if final.size != size:
        raise RemoteFileChangedError("remote file changed size during the download")


async def _in_order(
    remote: asyncssh.SFTPClientFile, start: int, end: int, block: int, depth: int
) -> AsyncGenerator[bytes, None]:
    """Blocks of [start, end) in order, with up to `depth` reads in flight."""
    pending: deque[asyncio.Future[bytes]] = deque()
    offset = start
    try:
        while pending or offset < end:
            while offset < end and len(pending) < depth:
                count = min(block, end - offset)
                pending.append(asyncio.ensure_future(_read(remote, offset, count)))
                offset += count
            yield await pending.popleft()
    finally:
        for future in pending:
            future.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def _read(remote: asyncssh.SFTPClientFile, offset: int, count: int) -> bytes:
    """Exactly `count` bytes at `offset`: a server may answer a read with fewer bytes."""
    data = cast(bytes, await remote.read(count, offset))  # opened "rb": bytes
    if len(data) == count:
        return data
    parts = [data]
    got = len(data)
    while data and got < count:
        data = cast(bytes, await remote.read(count - got, offset + got))
        parts.append(data)
        got += len(data)
    if got != count:  # only EOF ends a read early
        raise RemoteFileChangedError("remote file is shorter than listed")
    return b"".join(parts)


_closing: set[asyncio.Task[None]] = set()


def _close_in_background(remote: asyncssh.SFTPClientFile) -> None:
    """Close the handle without waiting: on a dead or stalled link, waiting would hang."""
    task = asyncio.ensure_future(remote.close())
    _closing.add(task)
    task.add_done_callback(_closed)


def _closed(task: asyncio.Task[None]) -> None:
    _closing.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a failed close of a finished read is not an error
