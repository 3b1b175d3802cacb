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
from types import TracebackType
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from edimesh.mesh.poll_loop import poll_until_stopped
from edimesh.mesh.topics import MAX_MESSAGE_BYTES, mesh_topics
from edimesh.mesh.transactions import PartitionProducer
from edimesh.splitter.file_run import RunEnv
from edimesh.splitter.kafka_state import LedgerTail, partition_counts
from edimesh.splitter.ledger import InterchangeLedger
from edimesh.splitter.observe import SplitterTelemetry, TelemetryParts
from edimesh.splitter.progress import progress_partition
from edimesh.splitter.settings import SplitterSettings
from edimesh.splitter.worker import PartitionWorker
from edimesh.telemetry.consumer_watch import ConsumerWatch
from edimesh.telemetry.health import HealthServer, Readiness

_log = logging.getLogger(__name__)
MAX_POLL_RECORDS = 100
# Readiness conditions (the names /readyz reports when unmet).
STARTED = "started"
KAFKA_REACHABLE = "kafka_reachable"
PARTITIONS_ASSIGNED = "partitions_assigned"
KAFKA_PROBE_INTERVAL_S = 5.0
KAFKA_PROBE_TIMEOUT_S = 5.0


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, service: SplitterService) -> None:
        self._service = service

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._service.revoke(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._service.assign(assigned)


class SplitterService:
    """Consumes FileStaged events and splits each staged file exactly once."""

    def __init__(
        self, settings: SplitterSettings, telemetry: TelemetryParts | None = None
    ) -> None:
        self.settings = settings
        self.topics = mesh_topics(settings.topic_prefix)
        self.telemetry = SplitterTelemetry.of(telemetry, settings.group_id, self.topics)
        self.ledger = InterchangeLedger(settings.ledger_retention_ms)
        self._workers: dict[TopicPartition, PartitionWorker] = {}
        self._slots = asyncio.Semaphore(settings.max_concurrent_files)
        self._stop = asyncio.Event()
        self._stack: AsyncExitStack | None = None
        self._consumer: Any = None
        self._tail: LedgerTail | None = None
        self._progress_partitions = 0
        self._closed = False
        self.readiness = Readiness(STARTED, KAFKA_REACHABLE, PARTITIONS_ASSIGNED)
        self._health = HealthServer(settings.health, self.readiness)

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> SplitterService:
        stack = AsyncExitStack()
        try:
            await self._start(stack)
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack
        _log.info("splitter started", extra={"settings": self.settings.describe()})
        return self

    async def _start(self, stack: AsyncExitStack) -> None:
        s = self.settings
        await stack.enter_async_context(self._health)
        ledger_topic, progress_topic = (self.topics.interchange_ledger.name,
                                        self.topics.splitter_progress.name)  # fmt: skip
        counts = await partition_counts(s.bootstrap_servers, [ledger_topic, progress_topic])
        self._progress_partitions = counts[progress_topic]
        tail = LedgerTail(s.bootstrap_servers, ledger_topic, counts[ledger_topic], self.ledger)
        stack.push_async_callback(tail.stop)
        await tail.start()
        self._tail = tail
        consumer = AIOKafkaConsumer(
            bootstrap_servers=s.bootstrap_servers,
            client_id=f"{s.group_id}-{s.instance_id or 'dynamic'}",
            group_id=s.group_id,
            group_instance_id=s.instance_id,
            isolation_level="read_committed",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
            session_timeout_ms=s.session_timeout_ms,
            heartbeat_interval_ms=s.heartbeat_interval_ms,
        )
        stack.push_async_callback(consumer.stop)
        await consumer.start()
        self._consumer = consumer
        stack.push_async_callback(self._stop_workers)  # before the consumer leaves the group
        consumer.subscribe([self.topics.files_staged.name], listener=_Rebalance(self))
        watch = ConsumerWatch(
            consumer, self.readiness, self.telemetry.metrics, group=s.group_id,
            interval_s=KAFKA_PROBE_INTERVAL_S, timeout_s=KAFKA_PROBE_TIMEOUT_S,
            condition=KAFKA_REACHABLE,
        )  # fmt: skip
        probe = asyncio.create_task(watch.run(), name="splitter-kafka-probe")
        stack.push_async_callback(_cancel, probe)
        self.readiness.set(STARTED)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop workers (each commits its current batch), leave the group. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self.readiness.clear(STARTED)  # draining: take no new traffic
        self._stop.set()
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()
        _log.info("splitter stopped")

    @property
    def health_port(self) -> int | None:
        """The health endpoint's bound port; None when off or not running."""
        return self._health.port

    def request_stop(self) -> None:
        """Begin a graceful stop (SIGTERM): `run` returns, then leaving the context drains."""
        self._stop.set()

    # ------------------------------------------------------------------ the poll loop

    async def run(self) -> None:
        """Poll and dispatch until `request_stop`."""
        consumer = self._consumer
        if consumer is None:
            raise RuntimeError("enter the service (async with) before run()")
        await poll_until_stopped(consumer, self._stop, self._dispatch, MAX_POLL_RECORDS)

    def _dispatch(self, batches: dict[TopicPartition, list[Any]]) -> None:
        consumer = self._consumer
        for tp, records in batches.items():
            worker = self._workers.get(tp)
            if worker is None or worker.stopping:
                # No owner right now: fetch these again once one exists.
                if tp in consumer.assignment():
                    consumer.seek(tp, records[0].offset)
                continue
            worker.submit(records)
            consumer.pause(tp)  # until the worker has split them all

    def _resume(self, tp: TopicPartition) -> None:
        consumer = self._consumer
        if consumer is not None and tp in self._workers and tp in consumer.assignment():
            consumer.resume(tp)

    # ------------------------------------------------------------------ rebalancing

    def assign(self, assigned: set[TopicPartition]) -> None:
        if self._stop.is_set():
            return  # a join that completes while stopping must not start producers nobody stops
        for tp in sorted(assigned):
            if tp in self._workers:
                continue
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
            worker = PartitionWorker(env, self._slots, self._resume)
            self._workers[tp] = worker
            worker.start()
        partitions = sorted(tp.partition for tp in assigned)
        _log.info("partitions assigned", extra={"partitions": partitions})
        self.readiness.set(PARTITIONS_ASSIGNED)  # an empty assignment is a valid idle member

    async def revoke(self, revoked: set[TopicPartition]) -> None:
        self.readiness.clear(PARTITIONS_ASSIGNED)  # rebalancing (or stopping)
        workers = [self._workers.pop(tp) for tp in revoked if tp in self._workers]
        timeout = self.settings.shutdown_timeout_s
        await asyncio.gather(*(w.stop(timeout) for w in workers))
        if revoked:
            partitions = sorted(tp.partition for tp in revoked)
            _log.info("partitions revoked", extra={"partitions": partitions})

    async def _stop_workers(self) -> None:
        await self.revoke(set(self._workers))


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

