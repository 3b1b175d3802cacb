"""The small protocols the file handler depends on; the service passes the real adapters
(staging.py, remote.py, publisher.py) and the unit tests pass fakes."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from edimesh.mesh.codec import Encoded
from edimesh.transfer.completeness import RemoteEntry


class Part(Protocol):
    written: int  # bytes in the part file; downloads continue from here
    resumed_from: int  # bytes kept from a previous run's checkpoint (0: fresh)

    def write(self, data: bytes) -> None: ...
    def hexdigest(self) -> str: ...
    def seal(self) -> None: ...
    def promote(self, final_name: str) -> Path: ...
    def keep(self) -> bool: ...
    def discard(self) -> None: ...


class Staging(Protocol):
    def room_for(
        self, partner: str, size: int, key: str | None = None
    ) -> AbstractContextManager[None]: ...
    def open_part(self, partner: str, key: str) -> Part: ...
    def prune(self, partner: str, keep: set[str]) -> int: ...


class Source(Protocol):
    """The partner's SFTP server, as the handler sees it."""

    async def fetch(self, entry: RemoteEntry, part: Part) -> str:
        """Download `entry` into `part` from `part.written` on; return the sha256 hex of the
        whole file."""
        ...

    async def dispose(self, entry: RemoteEntry, file_id: str) -> None: ...


class Publisher(Protocol):
    async def publish(self, file_id: str, message: Encoded) -> None:
        """Publish FileStaged keyed by `file_id`, with its ledger entry, atomically."""
        ...
