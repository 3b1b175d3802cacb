"""Splitting one staged file: read, scan, handle, and commit in bounded batches.

Each batch is one Kafka transaction holding its outputs and the file's progress; the last one
also holds the FileStaged offset (`txn_stream.py` streams them out while the scan goes on). A
resumed run re-scans from byte 0 and skips the outputs the progress says are committed (see
`progress.py`). Between chunks the loop yields to the event loop, so heartbeats, other
partitions and a stop request get their turn; a stop commits what was handed over and ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import TopicPartition

from edimesh.mesh.messages import FileStaged
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.staging import check_staged, resolve_staged
from edimesh.mesh.topics import MeshTopics
from edimesh.mesh.transactions import PartitionProducer, Pending
from edimesh.splitter.encoding import TrustedEncoder
from edimesh.splitter.file_reader import read_chunks
from edimesh.splitter.handler import FileSplit
from edimesh.splitter.kafka_state import LedgerTail
from edimesh.splitter.ledger import InterchangeLedger, LedgerEntry
from edimesh.splitter.observe import SplitterTelemetry
from edimesh.splitter.outputs import Destination, Output
from edimesh.splitter.progress import FileProgress
from edimesh.splitter.records import FileContext
from edimesh.splitter.settings import SplitterSettings
from edimesh.splitter.txn_stream import TransactionStream
from edimesh.x12.events import Event
from edimesh.x12.stream import X12Stream


class SplitInterrupted(Exception):  # noqa: N818 - a signal, not an error
    """The run stopped early on request, after committing its last full or partial batch."""


@dataclass(frozen=True, slots=True)
class RunEnv:
    """What every file run of one input partition shares."""

    settings: SplitterSettings
    topics: MeshTopics
    producer: PartitionProducer
    ledger: InterchangeLedger
    telemetry: SplitterTelemetry
    source: TopicPartition
    progress_partition: int
    ledger_tail: LedgerTail | None = None  # fresh ledger entries before each file
    should_stop: Callable[[], bool] = lambda: False  # the worker supplies its own


class FileRun:
    """One attempt at splitting one FileStaged. Not reusable."""

    def __init__(self, env: RunEnv, offset: int, staged: FileStaged, prior: FileProgress) -> None:
        self._env = env
        self._offset = offset
        self._staged = staged
        self.progress = prior  # the last committed progress
        self._skip = prior.outputs
        self._position = 0  # outputs produced by this run's handler so far
        self._sets = 0
        self._byte_offset = 0
        s = env.settings
        self._stream = TransactionStream(
            env.producer, env.telemetry, max_outputs=s.batch_max_outputs,
            max_bytes=s.batch_max_bytes, group_id=s.group_id, on_accepted=env.ledger.record,
        )  # fmt: skip
        self._split: FileSplit | None = None
        self._encoder = TrustedEncoder()
        self._topics = {d: d.topic(env.topics) for d in Destination}

    async def run(self) -> FileProgress:
        env, staged = self._env, self._staged
        path = resolve_staged(staged["staging_uri"], env.settings.staging_root)
        await asyncio.to_thread(check_staged, path, staged["size_bytes"])
        context = FileContext(
            file_id=staged["file_id"],
            partner=staged["partner"],
            staging_uri=staged["staging_uri"],
            size_bytes=staged["size_bytes"],
            received_at=staged["received_at"],
            started_at=datetime.now(UTC),
        )
        if env.ledger_tail is not None:
            await env.ledger_tail.catch_up()
        self._split = FileSplit(context, env.ledger, self.progress.verdicts)
        try:
            await self._scan(path)
        except BaseException:
            await self._stream.abandon()
            raise
        return self.progress

    async def _scan(self, path: Path) -> None:
        s, env = self._env.settings, self._env
        stream = X12Stream(max_segment_bytes=s.max_segment_bytes, max_set_bytes=s.inline_max_bytes)
        async for chunk in read_chunks(path, s.read_chunk_bytes):
            await self._take(stream.feed(chunk))
            if env.should_stop():
                await self._commit(done=False)
                await self._stream.settle()
                raise SplitInterrupted
            await asyncio.sleep(0)  # let heartbeats and other partitions run
        await self._take(stream.finish())
        await self._commit(done=True)
        await self._stream.settle()

    async def _take(self, events: list[Event]) -> None:
        split = self._split
        assert split is not None
        for event in events:
            for out in split.feed(event):
                self._position += 1
                if out.set_end is not None:
                    self._sets += 1
                    self._byte_offset = out.set_end
                if self._position <= self._skip:
                    continue  # committed by an earlier run
                await self._add(out)
                if self._stream.full:
                    await self._commit(done=False)

    async def _add(self, out: Output) -> None:
        value, headers = self._encoder.encode(out.message_type, out.record)
        topic = self._topics[out.destination]
        accepted = None
        if out.destination is Destination.INTERCHANGE_LEDGER:
            record = out.record
            accepted = (out.key, LedgerEntry(record["file_id"], record["interchange_index"]))
        await self._stream.add(Pending(topic, out.key.encode("utf-8"), value, headers), accepted)

    async def _commit(self, *, done: bool) -> None:
        """End the batch with the file's progress (and, at the end, the FileStaged offset)."""
        env = self._env
        if not done and not self._stream.pending:
            return
        assert self._split is not None
        progress = FileProgress(
            file_id=self._staged["file_id"],
            source_topic=env.source.topic,
            source_partition=env.source.partition,
            source_offset=self._offset,
            outputs=max(self._position, self._skip),
            sets=self._sets,
            byte_offset=self._byte_offset,
            verdicts=self._split.verdicts,
            done=done,
        )
        value, headers = self._encoder.encode(
            MessageType.SPLITTER_PROGRESS, progress.to_record(datetime.now(UTC))
        )
        record = Pending(env.topics.splitter_progress.name, progress.file_id.encode(), value,
                         headers, env.progress_partition)  # fmt: skip
        offsets = {env.source: self._offset + 1} if done else None

        def committed() -> None:
            self.progress = progress

        await self._stream.commit(record, offsets, committed)
