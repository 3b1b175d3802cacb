"""One complete remote file, start to end: stage it, publish it once, then dispose of it.

The order is what makes the guarantees:
1. hold 2 x size of staging space, less what a kept part already holds (or refuse:
   StagingFullError);
2. download into a `.part` file while hashing, then fsync it; a part left by a crashed run for
   the same remote file (same path, size and mtime) is resumed from its verified checkpoint;
3. claim the sha256 in the ledger: content already staged is discarded here, not published;
4. promote the part file to `<partner>/<sha256>` (atomic rename) and publish FileStaged together
   with its ledger entry (one Kafka transaction);
5. only then archive or delete the remote file.
A failure or a crash anywhere leaves the remote file in place for the next poll, and no `.part`
ever gets a final name. A download given up for its link (retries used up) or cancelled (SIGTERM)
keeps its `.part` with a fresh checkpoint, so the next try resumes; a file that changed or cannot
be read, a full disk or a bug discards it. The I/O is behind small protocols, so all of this is
tested with fakes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from posixpath import join
from typing import Any

from opentelemetry.trace import Tracer

from edimesh.errors import TransientError
from edimesh.mesh.codec import encode
from edimesh.mesh.schemas import MessageType
from edimesh.telemetry import Masker, MaskLabel, work_span
from edimesh.telemetry.metrics import MeshMetrics, Stage, noop_metrics
from edimesh.transfer.completeness import RemoteEntry
from edimesh.transfer.errors import (
    RemoteFileChangedError,
    RemoteFileUnreadableError,
    StagingFullError,
)
from edimesh.transfer.ledger import StagedLedger
from edimesh.transfer.partners import Partner
from edimesh.transfer.ports import Part, Publisher, Source, Staging
from edimesh.transfer.staging import part_key

_log = logging.getLogger(__name__)
# Failures that make a part file not worth resuming: its remote file changed or cannot be read,
# or the disk is full (its bytes are better freed).
_DISCARD_PART = (RemoteFileChangedError, RemoteFileUnreadableError, StagingFullError)


class Outcome(StrEnum):
    PUBLISHED = "published"
    DUPLICATE = "duplicate"  # content already staged: disposed without a second event


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def file_staged_record(
    *, file_id: str, size: int, partner: str, source_token: str, staged: Path, at: dt.datetime
) -> dict[str, Any]:
    return {
        "file_id": file_id,
        "size_bytes": size,
        "partner": partner,
        "source_path_token": source_token,
        "staging_uri": staged.resolve().as_uri(),
        "received_at": at,
    }


class FileHandler:
    def __init__(
        self,
        partner: Partner,
        *,
        source: Source,
        staging: Staging,
        ledger: StagedLedger,
        publisher: Publisher,
        masker: Masker,
        tracer: Tracer,
        clock: Callable[[], dt.datetime] = utc_now,
        metrics: MeshMetrics | None = None,
    ):
        self.partner = partner
        self._metrics = metrics or noop_metrics()
        self._source = source
        self._staging = staging
        self._ledger = ledger
        self._publisher = publisher
        self._masker = masker
        self._tracer = tracer
        self._clock = clock
        self.outcomes: Counter[Outcome] = Counter()  # counted when decided, before disposal
        self.bytes_fetched = 0  # bytes downloaded into part files that were sealed
        self.bytes_resumed = 0  # bytes not downloaded again thanks to a crash checkpoint

    def key_for(self, entry: RemoteEntry) -> str:
        """The part file key of this version of the remote file (staging.part_key)."""
        remote_path = join(self.partner.inbound_dir, entry.name)
        return part_key(self.partner.name, remote_path, entry.size, entry.mtime)

    def prune(self, listing: list[RemoteEntry]) -> int:
        """Delete crash-resumable parts of remote files that are no longer listed as they were."""
        return self._staging.prune(self.partner.name, {self.key_for(e) for e in listing})

    async def handle(self, entry: RemoteEntry) -> Outcome:
        name = self.partner.name
        # The first span of the file's trace: FileStaged carries its context onwards.
        with work_span(self._tracer, "transfer file", {"edimesh.partner": name}) as span:
            with self._staging.room_for(name, entry.size, self.key_for(entry)):
                file_id, outcome = await self._stage_and_publish(entry)
            await self._source.dispose(entry, file_id)
            span.set_attribute("edimesh.transfer.outcome", outcome.value)
            span.set_attribute("edimesh.transfer.size_bytes", entry.size)
        return outcome

    async def _stage_and_publish(self, entry: RemoteEntry) -> tuple[str, Outcome]:
        part = self._staging.open_part(self.partner.name, self.key_for(entry))
        try:
            result = await self._stage_part(entry, part)
        except BaseException as exc:
            if _abandoned(exc) and part.keep():
                _log.info(
                    "partner %s: download abandoned at byte %d of %d (%s), kept to resume",
                    self.partner.name, part.written, entry.size, type(exc).__name__,
                )  # fmt: skip
            raise
        finally:
            part.discard()  # a no-op once promoted or kept
        return result

    async def _stage_part(self, entry: RemoteEntry, part: Part) -> tuple[str, Outcome]:
        if part.resumed_from:
            _log.info(
                "partner %s: resuming a download at byte %d of %d",
                self.partner.name, part.resumed_from, entry.size,
            )  # fmt: skip
        with (
            work_span(self._tracer, "download", {"edimesh.size_bytes": entry.size}),
            self._metrics.time_stage(Stage.DOWNLOAD),
        ):
            file_id = await self._source.fetch(entry, part)
            part.seal()
        self.bytes_fetched += part.written - part.resumed_from
        self.bytes_resumed += part.resumed_from
        if not await self._ledger.claim(file_id):
            self.outcomes[Outcome.DUPLICATE] += 1
            return file_id, Outcome.DUPLICATE
        published = False
        try:
            with work_span(self._tracer, "stage"), self._metrics.time_stage(Stage.STAGE):
                staged = part.promote(file_id)
            with self._metrics.time_stage(Stage.PUBLISH):
                await self._publish(entry, file_id, staged)
            published = True
            self._metrics.transferred(files=1, size_bytes=entry.size)
        finally:
            self._ledger.settle(file_id, published=published)
        self.outcomes[Outcome.PUBLISHED] += 1
        return file_id, Outcome.PUBLISHED

    async def _publish(self, entry: RemoteEntry, file_id: str, staged: Path) -> None:
        remote_path = join(self.partner.inbound_dir, entry.name)
        source = f"{self.partner.name}:{remote_path}".encode("utf-8", "surrogateescape")
        record = file_staged_record(
            file_id=file_id,
            size=entry.size,
            partner=self.partner.name,
            source_token=self._masker.mask(MaskLabel.REMOTE_PATH, source),
            staged=staged,
            at=self._clock(),
        )
        message = encode(MessageType.FILE_STAGED, record)
        await self._publisher.publish(file_id, message)


def _abandoned(exc: BaseException) -> bool:
    """Given up for a reason that says nothing against the bytes staged so far: the link
    (retries used up) or a shutdown. Keeping is safe in any case: a resume re-hashes the prefix
    against its checkpoint."""
    if isinstance(exc, _DISCARD_PART):
        return False
    task = asyncio.current_task()
    cancelling = task is not None and task.cancelling() > 0  # any failure while shutting down
    return cancelling or isinstance(exc, asyncio.CancelledError | TransientError)
