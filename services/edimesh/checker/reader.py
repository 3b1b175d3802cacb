"""Streams a file from disk through the X12 core in fixed-size chunks: bounded memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from edimesh.x12.events import Event
from edimesh.x12.stream import X12Stream

CHUNK_BYTES = 1 << 20


def scan_file(
    path: Path,
    *,
    chunk_bytes: int = CHUNK_BYTES,
    on_progress: Callable[[int], None] | None = None,
    stream: X12Stream | None = None,
) -> Iterator[Event]:
    """Yield the events of one file. Raises OSError when the file cannot be read."""
    core = stream or X12Stream()
    chunk = bytearray(chunk_bytes)
    view = memoryview(chunk)
    with path.open("rb", buffering=0) as fh:
        while n := fh.readinto(chunk):
            yield from core.feed(view[:n])
            if on_progress is not None:
                on_progress(n)
    yield from core.finish()
