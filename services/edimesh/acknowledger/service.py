"""The acknowledger service: a co-partitioned consumer group, one worker per partition number.

    async with AcknowledgerService(settings, telemetry) as service:
        loop.add_signal_handler(signal.SIGTERM, service.request_stop)
        await service.run()

The consumer subscribes to the group manifests and the set results with read_committed, manual
commits and the range assignor: with equal partition counts (checked at start, together with
the changelog's), partition p of both topics goes to the same member, which owns partition p
of the changelog too. Both inputs are keyed by the group key, so a group's manifest and all
its results meet in one worker. That worker's transactional producer (`<group>-<changelog
topic>-<p>`) fences p's previous owner when it starts.

Health (EDIMESH_HEALTH_PORT): ready means started, Kafka answering, and the group joined.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any

from aiokafka import TopicPartition
from aiokafka.coordinator.assignors.range import RangePartitionAssignor

from edimesh.acknowledger.observe import AcknowledgerTelemetry
from edimesh.acknowledger.settings import AcknowledgerSettings
from edimesh.acknowledger.worker import SERVICE, PartitionWorker, WorkerEnv
from edimesh.errors import ConfigError
from edimesh.mesh.admin import topic_partitions
from edimesh.mesh.group_member import Rebalance, group_consumer
from edimesh.mesh.poll_loop import poll_until_stopped
from edimesh.mesh.telemetry_parts import TelemetryParts
from edimesh.mesh.topics import mesh_topics
from edimesh.mesh.transactions import PartitionProducer
from edimesh.telemetry.consumer_watch import ConsumerWatch
from edimesh.telemetry.health import HealthServer, Readiness

_log = logging.getLogger(__name__)
MAX_POLL_RECORDS = 500
STARTED = "started"
KAFKA_REACHABLE = "kafka_reachable"
PARTITIONS_ASSIGNED = "partitions_assigned"
KAFKA_PROBE_INTERVAL_S = 5.0


class AcknowledgerService:
    """Joins manifests and set results; publishes one 999 per functional group."""

    def __init__(
        self, settings: AcknowledgerSettings, telemetry: TelemetryParts | None = None
    ) -> None:
        self.settings = settings
        self.topics = mesh_topics(settings.topic_prefix)
        self.telemetry = AcknowledgerTelemetry.of(telemetry, settings.group_id, self.topics)
        self._workers: dict[int, PartitionWorker] = {}
        self._partitions = 0
        self._stop = asyncio.Event()
        self._stack: AsyncExitStack | None = None
        self._consumer: Any = None
        self._closed = False
        self.readiness = Readiness(STARTED, KAFKA_REACHABLE, PARTITIONS_ASSIGNED)
        self._health = HealthServer(settings.health, self.readiness)

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> AcknowledgerService:
        stack = AsyncExitStack()
        try:
            await self._start(stack)
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack
        _log.info("acknowledger started", extra={"settings": self.settings.describe()})
        return self

    async def _start(self, stack: AsyncExitStack) -> None:
        s = self.settings
        await stack.enter_async_context(self._health)
        self._partitions = await self._check_partitions()
        consumer = group_consumer(s, partition_assignment_strategy=(RangePartitionAssignor,))
        stack.push_async_callback(consumer.stop)
        await consumer.start()
        self._consumer = consumer
        stack.push_async_callback(self._stop_workers)  # before the consumer leaves the group
        consumer.subscribe([self.topics.group_manifests.name, self.topics.set_results.name],
                           listener=Rebalance(self.assign, self.revoke))  # fmt: skip
        watch = ConsumerWatch(consumer, self.readiness, self.telemetry.metrics,
                              group=s.group_id, interval_s=KAFKA_PROBE_INTERVAL_S,
                              condition=KAFKA_REACHABLE)  # fmt: skip
        probe = asyncio.create_task(watch.run(), name="acknowledger-kafka-probe")
        stack.push_async_callback(_cancel, probe)
        self.readiness.set(STARTED)

    async def _check_partitions(self) -> int:
        """The common partition count of both inputs and the changelog; ConfigError if the
        counts differ (a group's records would not meet in one worker) or a topic is missing."""
        names = [self.topics.group_manifests.name, self.topics.set_results.name,
                 self.topics.acknowledger_state.name]  # fmt: skip
        existing = await topic_partitions(self.settings.bootstrap_servers)
        missing = [name for name in names if not existing.get(name)]
        if missing:
            raise ConfigError(f"topics {missing} do not exist: create the mesh topics first")
        counts = {name: existing[name] for name in names}
        if len(set(counts.values())) != 1:
            raise ConfigError(f"the acknowledger's topics must have equal partition counts: "
                              f"{counts}")  # fmt: skip
        return counts[names[0]]

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
        self.readiness.clear(STARTED)
        self._stop.set()
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()
        _log.info("acknowledger stopped")

    @property
    def health_port(self) -> int | None:
        return self._health.port

    @property
    def owned_partitions(self) -> list[int]:
        return sorted(self._workers)

    def worker(self, partition: int) -> PartitionWorker | None:
        return self._workers.get(partition)

    def request_stop(self) -> None:
        """Begin a graceful stop (SIGTERM): `run` returns, then leaving the context drains."""
        self._stop.set()

    # ------------------------------------------------------------------ the poll loop

    async def run(self) -> None:
        consumer = self._consumer
        if consumer is None:
            raise RuntimeError("enter the service (async with) before run()")
        await poll_until_stopped(consumer, self._stop, self._dispatch, MAX_POLL_RECORDS)

    def _dispatch(self, batches: dict[TopicPartition, list[Any]]) -> None:
        consumer = self._consumer
        for tp, records in batches.items():
            worker = self._workers.get(tp.partition)
            if worker is None or worker.stopping or tp not in worker.inputs:
                if tp in consumer.assignment():  # no owner now: fetch again once one exists
                    consumer.seek(tp, records[0].offset)
                continue
            worker.submit(tp, records)
            if worker.backlog(tp) >= self.settings.batch_max_records:
                consumer.pause(tp)

    def _on_room(self, tp: TopicPartition) -> None:
        consumer = self._consumer
        if consumer is not None and tp.partition in self._workers and tp in consumer.assignment():
            consumer.resume(tp)

    async def _committed(self, tp: TopicPartition) -> int | None:
        offset: int | None = await self._consumer.committed(tp)
        return offset

    async def _caught_up(self, tp: TopicPartition) -> bool:
        """Whether this member has consumed `tp` up to its last stable offset (unknown until
        a fetch answered: then assume so, or an idle partition would never time out)."""
        consumer = self._consumer
        if consumer is None or tp not in consumer.assignment():
            return False
        end: int | None = consumer.last_stable_offset(tp)
        if end is None or end < 0:
            end = consumer.highwater(tp)
        if end is None:
            return True
        try:
            position: int = await consumer.position(tp)
        except Exception:  # noqa: BLE001 - revoked meanwhile, or no position yet
            return False
        return position >= end

    # ------------------------------------------------------------------ rebalancing

    def assign(self, assigned: set[TopicPartition]) -> None:
        self.readiness.set(PARTITIONS_ASSIGNED)
        by_partition: dict[int, set[str]] = defaultdict(set)
        for tp in assigned:
            by_partition[tp.partition].add(tp.topic)
        inputs = {self.topics.group_manifests.name, self.topics.set_results.name}
        for partition, topics in sorted(by_partition.items()):
            if topics != inputs:
                # Range assignment over equal counts never splits a partition number; if it
                # happens anyway, the other member's worker owns p and would be fenced by ours.
                _log.error("partition assigned without its co-partition",
                           extra={"partition": partition})  # fmt: skip
            if partition in self._workers:
                continue
            producer_tp = TopicPartition(self.topics.acknowledger_state.name, partition)
            env = WorkerEnv(
                settings=self.settings,
                topics=self.topics,
                producer=PartitionProducer(self.settings, producer_tp, service=SERVICE),
                telemetry=self.telemetry,
                partition=partition,
                partitions=self._partitions,
                committed=self._committed,
                on_room=self._on_room,
                caught_up=self._caught_up,
            )
            worker = PartitionWorker(env)
            self._workers[partition] = worker
            worker.start()
        _log.info("partitions assigned", extra={"partitions": sorted(by_partition)})

    async def revoke(self, revoked: set[TopicPartition]) -> None:
        self.readiness.clear(PARTITIONS_ASSIGNED)
        numbers = {tp.partition for tp in revoked}
        workers = [self._workers.pop(p) for p in numbers if p in self._workers]
        await asyncio.gather(*(w.stop(self.settings.shutdown_timeout_s) for w in workers))
        if numbers:
            _log.info("partitions revoked", extra={"partitions": sorted(numbers)})

    async def _stop_workers(self) -> None:
        await self.revoke({tp for w in self._workers.values() for tp in w.inputs})


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
