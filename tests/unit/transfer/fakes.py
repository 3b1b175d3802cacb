"""In-memory stand-ins for the handler's ports."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path

from edimesh.errors import TransientError
from edimesh.mesh.codec import Encoded, decode
from edimesh.mesh.schemas import MessageType
from edimesh.transfer.completeness import RemoteEntry


class MemoryPart:
    def __init__(self, journal: list[str]):
        self.written = 0
        self.resumed_from = 0
        self.data = bytearray()
        self.state = "open"
        self.journal = journal

    def write(self, data: bytes) -> None:
        self.data += data
        self.written += len(data)

    def hexdigest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def seal(self) -> None:
        self.state = "sealed"

    def promote(self, final_name: str) -> Path:
        self.state = "promoted"
        self.journal.append(f"promote {final_name[:8]}")
        return Path("/staging/acme") / final_name

    def keep(self) -> bool:
        if self.state in {"open", "sealed"} and self.written:
            self.state = "kept"
        return self.state == "kept"

    def discard(self) -> None:
        if self.state not in {"promoted", "kept"}:
            self.state = "discarded"


class MemoryStaging:
    def __init__(self, journal: list[str], free: int = 10**12):
        self.parts: list[MemoryPart] = []
        self.journal = journal
        self.free = free
        self.keys: list[str | None] = []  # the part keys room was asked for

    @contextlib.contextmanager
    def room_for(self, partner: str, size: int, key: str | None = None) -> Iterator[None]:
        self.keys.append(key)
        if self.free < 2 * size:
            raise TransientError("full")
        yield

    def open_part(self, partner: str, key: str) -> MemoryPart:
        part = MemoryPart(self.journal)
        self.parts.append(part)
        return part

    def prune(self, partner: str, keep: set[str]) -> int:
        return 0


class MemorySource:
    def __init__(self, files: dict[str, bytes], journal: list[str]):
        self.files = files
        self.journal = journal
        self.fail_fetch: Exception | None = None
        self.fail_dispose: Exception | None = None
        self.stall_after: int | None = None  # write this many bytes, then wait forever
        self.stalled = asyncio.Event()
        self.shutting_down = False

    async def fetch(self, entry: RemoteEntry, part: MemoryPart) -> str:
        if self.stall_after is not None:
            part.write(self.files[entry.name][: self.stall_after])
            self.stalled.set()
            await asyncio.Event().wait()
        if self.fail_fetch is not None:
            part.write(self.files[entry.name][:1])  # the failure lands mid-download
            if self.shutting_down:  # the service is cancelling this download (SIGTERM)
                task = asyncio.current_task()
                assert task is not None
                task.cancel()
            raise self.fail_fetch
        data = self.files[entry.name]
        part.write(data)
        self.journal.append(f"fetch {entry.name}")
        return hashlib.sha256(data).hexdigest()

    async def dispose(self, entry: RemoteEntry, file_id: str) -> None:
        if self.fail_dispose is not None:
            raise self.fail_dispose
        self.journal.append(f"dispose {entry.name}")


class MemoryPublisher:
    def __init__(self, journal: list[str]):
        self.records: list[dict[str, object]] = []
        self.journal = journal
        self.fail: Exception | None = None

    async def publish(self, file_id: str, message: Encoded) -> None:
        if self.fail is not None:
            raise self.fail
        self.records.append(decode(message.value, message.headers, MessageType.FILE_STAGED))
        self.journal.append(f"publish {file_id[:8]}")
