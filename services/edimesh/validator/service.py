"""The validator service: consumer group, partition workers, validation pool, graceful stop.

    async with ValidatorService(settings, telemetry) as service:
        loop.add_signal_handler(signal.SIGTERM, service.request_stop)
        await service.run()

Exactly once, as in the splitter: the consumer reads `edi.transactions` with read_committed and
never auto-commits; each assigned partition gets a `PartitionWorker` with its own transactional
producer (`<group>-<topic>-<partition>`), whose transactions carry the outputs and the input
offset together. Starting it fences the partition's previous owner; the worker then re-reads the
committed offset, so nothing that owner committed is validated twice.

Backpressure: a partition is paused while its worker holds a full batch of queued sets, and
every partition that delivers more while the queued input of all workers together exceeds
`max_queued_mb`; a paused partition is resumed when both have room again. At most
`max_in_flight` sets are in the validation pool at once.
The poll loop does no validation, so the group session stays healthy.

Health (EDIMESH_HEALTH_PORT, `settings.health`): the endpoint starts first, so /livez answers
while the guides load. Ready means started (pool up, consumer started, not draining), Kafka
answering a metadata request (probed every few seconds, `telemetry.consumer_watch`, which also
records the consumer lag per partition), and the group joined with an assignment (possibly
empty: more members than partitions is a valid idle member).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from edimesh.mesh.poll_loop import poll_until_stopped
from edimesh.mesh.telemetry_parts import TelemetryParts
from edimesh.mesh.topics import MAX_MESSAGE_BYTES, mesh_topics
from edimesh.mesh.transactions import PartitionProducer
from edimesh.telemetry.consumer_watch import ConsumerWatch
from edimesh.telemetry.health import HealthServer, Readiness
from edimesh.validator.observe import ValidatorTelemetry
from edimesh.validator.pool import ValidationPool
from edimesh.validator.settings import ValidatorSettings
from edimesh.validator.worker import SERVICE, PartitionWorker, WorkerEnv

_log = logging.getLogger(__name__)
MAX_POLL_RECORDS = 500
MiB = 1 << 20
# Readiness conditions (the names /readyz reports when unmet).
STARTED = "started"
KAFKA_REACHABLE = "kafka_reachable"
PARTITIONS_ASSIGNED = "partitions_assigned"
KAFKA_PROBE_INTERVAL_S = 5.0
KAFKA_PROBE_TIMEOUT_S = 5.0


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, service: ValidatorService) -> None:
        self._service = service

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._service.revoke(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._service.assign(assigned)


class ValidatorService:
    """Consumes TransactionSets and routes each exactly once."""

    def __init__(
        self, settings: ValidatorSettings, telemetry: TelemetryParts | None = None
    ) -> None:
        self.settings = settings
        self.topics = mesh_topics(settings.topic_prefix)
        self.telemetry = ValidatorTelemetry.of(telemetry, settings.group_id, self.topics)
        self.pool = ValidationPool(settings.worker_processes, settings.max_in_flight,
                                   settings.pool_batch_sets)  # fmt: skip
        self._workers: dict[TopicPartition, PartitionWorker] = {}
        self._paused: set[TopicPartition] = set()
        self._budget_bytes = settings.max_queued_mb * MiB
        self._stop = asyncio.Event()
        self._stack: AsyncExitStack | None = None
        self._consumer: Any = None
        self._closed = False
        self.readiness = Readiness(STARTED, KAFKA_REACHABLE, PARTITIONS_ASSIGNED)
        self._health = HealthServer(settings.health, self.readiness)

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> ValidatorService:
        stack = AsyncExitStack()
        try:
            await self._start(stack)
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack
        _log.info("validator started", extra={"settings": self.settings.describe()})
        return self

    async def _start(self, stack: AsyncExitStack) -> None:
        s = self.settings
        await stack.enter_async_context(self._health)
        await self.pool.start()  # threads: the guides load before polling
        stack.push_async_callback(self.pool.stop)
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
        consumer.subscribe([self.topics.transactions.name], listener=_Rebalance(self))
        watch = ConsumerWatch(
            consumer, self.readiness, self.telemetry.metrics, group=s.group_id,
            interval_s=KAFKA_PROBE_INTERVAL_S, timeout_s=KAFKA_PROBE_TIMEOUT_S,
            condition=KAFKA_REACHABLE,
        )  # fmt: skip
        probe = asyncio.create_task(watch.run(), name="validator-kafka-probe")
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
        _log.info("validator stopped")

    @property
    def health_port(self) -> int | None:
        """The health endpoint's bound port; None when off or not running."""
        return self._health.port

    @property
    def owned_partitions(self) -> list[TopicPartition]:
        """The input partitions this instance owns right now."""
        return sorted(self._workers)

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
                if tp in consumer.assignment():  # no owner now: fetch again once one exists
                    consumer.seek(tp, records[0].offset)
                continue
            worker.submit(records)
            if not self._has_room(worker):
                consumer.pause(tp)  # until the worker and the budget have room
                self._paused.add(tp)

    def queued_bytes(self) -> int:
        """Input held by all partition workers (queued or in their current batch)."""
        return sum(w.backlog_bytes for w in self._workers.values())

    def _has_room(self, worker: PartitionWorker) -> bool:
        return (worker.backlog < self.settings.batch_max_records
                and self.queued_bytes() < self._budget_bytes)  # fmt: skip

    def _on_room(self, tp: TopicPartition) -> None:
        """A worker drained some of its queue: resume the paused partitions that have room
        (not only its own: the budget is shared)."""
        consumer = self._consumer
        if consumer is None or not self._paused:
            return
        if self.queued_bytes() >= self._budget_bytes:
            return
        assigned = consumer.assignment()
        for paused in list(self._paused):
            worker = self._workers.get(paused)
            if worker is None or paused not in assigned:
                self._paused.discard(paused)
            elif worker.backlog < self.settings.batch_max_records:
                consumer.resume(paused)
                self._paused.discard(paused)

    async def _committed(self, tp: TopicPartition) -> int | None:
        offset: int | None = await self._consumer.committed(tp)
        return offset

    # ------------------------------------------------------------------ rebalancing

    def assign(self, assigned: set[TopicPartition]) -> None:
        self.readiness.set(PARTITIONS_ASSIGNED)  # an empty assignment is a valid idle member
        for tp in sorted(assigned):
            if tp in self._workers:
                continue
            env = WorkerEnv(
                settings=self.settings,
                topics=self.topics,
                producer=PartitionProducer(self.settings, tp, service=SERVICE),
                pool=self.pool,
                telemetry=self.telemetry,
                source=tp,
                committed=self._committed,
                on_room=self._on_room,
            )
            worker = PartitionWorker(env)
            self._workers[tp] = worker
            worker.start()
        _log.info("partitions assigned",
                  extra={"partitions": sorted(tp.partition for tp in assigned)})  # fmt: skip

    async def revoke(self, revoked: set[TopicPartition]) -> None:
        self.readiness.clear(PARTITIONS_ASSIGNED)  # rebalancing (or stopping)
        workers = [self._workers.pop(tp) for tp in revoked if tp in self._workers]
        self._paused -= revoked  # a partition assigned again starts unpaused
        await asyncio.gather(*(w.stop(self.settings.shutdown_timeout_s) for w in workers))
        if revoked:
            _log.info("partitions revoked",
                      extra={"partitions": sorted(tp.partition for tp in revoked)})  # fmt: skip

    async def _stop_workers(self) -> None:
        await self.revoke(set(self._workers))


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
