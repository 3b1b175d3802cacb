"""The splitter service: consumer group, partition workers, and a graceful stop.

    async with SplitterService(settings, telemetry) as service:
        loop.add_signal_handler(signal.SIGTERM, service.request_stop)
        await service.run()

How exactly-once holds:
- The consumer reads `edi.files.staged` with read_committed and never auto-commits: offsets are
  committed only inside the transactions that carry the outputs (send_offsets_to_transaction).
- Each assigned input partition gets a `PartitionWorker` with its own transactional producer
  (`<group>-<topic>-<partition>`). Starting it fences the partition's previous owner (a zombie
  paused past its session, or this service's previous life) and settles that owner's open
  transaction; only then is the partition's progress read back from Kafka.
- A file is committed in bounded batches, each carrying the file's progress. A restart re-scans
  the file and skips what progress says is committed, replaying the duplicate verdicts.
- On revocation the worker finishes its batch (bounded) and stops; on the next assignment a
  fresh worker starts from Kafka's state, never from memory.

Backpressure: a partition is paused while its worker has work queued, so only a few small
FileStaged events wait in memory; a file run holds at most two batches of encoded outputs (one
committing, one filling, `txn_stream.py`) and blocks on the producer when the broker is slower
than the scan; at most `max_concurrent_files` files are split at once. The staged file is read
in a thread, a chunk ahead. The poll loop keeps running (it does no splitting itself), so the
group session and poll interval stay healthy during a long file.

Health (EDIMESH_HEALTH_PORT, `settings.health`): the endpoint starts first, so /livez answers
while the ledger is read. Ready means started, Kafka answering a metadata request (probed every
few seconds: an unreachable broker makes the pod unready, not dead), and the group joined with
an assignment, which may be empty when the group has more members than partitions. The same
check records the consumer lag per partition (`telemetry.consumer_watch`).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from typing import Any

from aiokafka import TopicPartition

from edimesh.mesh.group_service import KAFKA_REACHABLE, PARTITIONS_ASSIGNED, STARTED, GroupService
from edimesh.mesh.transactions import PartitionProducer
from edimesh.splitter.file_run import RunEnv
from edimesh.splitter.kafka_state import LedgerTail, partition_counts
from edimesh.splitter.ledger import InterchangeLedger
from edimesh.splitter.observe import SplitterTelemetry, TelemetryParts
from edimesh.splitter.progress import progress_partition
from edimesh.splitter.settings import SplitterSettings
from edimesh.splitter.worker import PartitionWorker

__all__ = ["KAFKA_REACHABLE", "PARTITIONS_ASSIGNED", "STARTED", "SplitterService"]
_log = logging.getLogger(__name__)
MAX_POLL_RECORDS = 100
KAFKA_PROBE_INTERVAL_S = 5.0  # read at each start (tests shorten it)


class SplitterService(GroupService[TopicPartition, PartitionWorker]):
    """Consumes FileStaged events and splits each staged file exactly once."""

    max_poll_records = MAX_POLL_RECORDS

    def __init__(self, settings: SplitterSettings, telemetry: TelemetryParts | None = None) -> None:
        super().__init__("splitter", settings, _log)
        self.settings = settings
        self.telemetry = SplitterTelemetry.of(telemetry, settings.group_id, self.topics)
        self.ledger = InterchangeLedger(settings.ledger_retention_ms)
        self._slots = asyncio.Semaphore(settings.max_concurrent_files)
        self._tail: LedgerTail | None = None
        self._progress_partitions = 0

    async def _start(self, stack: AsyncExitStack) -> None:
        s = self.settings
        ledger_topic, progress_topic = (self.topics.interchange_ledger.name,
                                        self.topics.splitter_progress.name)  # fmt: skip
        counts = await partition_counts(s.bootstrap_servers, [ledger_topic, progress_topic])
        self._progress_partitions = counts[progress_topic]
        tail = LedgerTail(s.bootstrap_servers, ledger_topic, counts[ledger_topic], self.ledger)
        stack.push_async_callback(tail.stop)
        await tail.start()
        self._tail = tail
        await self._join(stack, [self.topics.files_staged.name], self.telemetry.metrics,
                         probe_interval_s=KAFKA_PROBE_INTERVAL_S)  # fmt: skip

    # ------------------------------------------------------------------ the poll loop

    def _dispatch(self, batches: dict[TopicPartition, list[Any]]) -> None:
        for tp, records in batches.items():
            worker = self._owner(tp, tp, records)
            if worker is not None:
                worker.submit(records)
                self._consumer.pause(tp)  # until the worker has split them all

    def _on_idle(self, tp: TopicPartition) -> None:
        self._resume(tp, tp)

    # ------------------------------------------------------------------ rebalancing

    def assign(self, assigned: set[TopicPartition]) -> None:
        self._start_workers(assigned, self._new_worker)

    def _new_worker(self, tp: TopicPartition) -> PartitionWorker:
        env = RunEnv(
            settings=self.settings,
            topics=self.topics,
            producer=PartitionProducer(self.settings, tp, service="splitter"),
            ledger=self.ledger,
            telemetry=self.telemetry,
            source=tp,
            progress_partition=progress_partition(tp.partition, self._progress_partitions),
            ledger_tail=self._tail,
        )
        return PartitionWorker(env, self._slots, self._on_idle)

    async def revoke(self, revoked: set[TopicPartition]) -> None:
        await self._stop_workers(revoked)
