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

import logging
from collections import defaultdict
from contextlib import AsyncExitStack
from typing import Any

from aiokafka import TopicPartition
from aiokafka.coordinator.assignors.range import RangePartitionAssignor

from edimesh.acknowledger.observe import AcknowledgerTelemetry
from edimesh.acknowledger.settings import AcknowledgerSettings
from edimesh.acknowledger.worker import SERVICE, PartitionWorker, WorkerEnv
from edimesh.errors import ConfigError
from edimesh.mesh.admin import topic_partitions
from edimesh.mesh.group_service import KAFKA_REACHABLE, PARTITIONS_ASSIGNED, STARTED, GroupService
from edimesh.mesh.telemetry_parts import TelemetryParts
from edimesh.mesh.transactions import PartitionProducer

__all__ = ["KAFKA_REACHABLE", "PARTITIONS_ASSIGNED", "STARTED", "AcknowledgerService"]
_log = logging.getLogger(__name__)
MAX_POLL_RECORDS = 500
KAFKA_PROBE_INTERVAL_S = 5.0  # read at each start (tests shorten it)


class AcknowledgerService(GroupService[int, PartitionWorker]):
    """Joins manifests and set results; publishes one 999 per functional group."""

    max_poll_records = MAX_POLL_RECORDS

    def __init__(
        self, settings: AcknowledgerSettings, telemetry: TelemetryParts | None = None
    ) -> None:
        super().__init__(SERVICE, settings, _log)
        self.settings = settings
        self.telemetry = AcknowledgerTelemetry.of(telemetry, settings.group_id, self.topics)
        self._partitions = 0

    async def _start(self, stack: AsyncExitStack) -> None:
        self._partitions = await self._check_partitions()
        await self._join(stack, [self.topics.group_manifests.name, self.topics.set_results.name],
                         self.telemetry.metrics, probe_interval_s=KAFKA_PROBE_INTERVAL_S,
                         partition_assignment_strategy=(RangePartitionAssignor,))  # fmt: skip

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

    @property
    def owned_partitions(self) -> list[int]:
        return sorted(self._workers)

    def worker(self, partition: int) -> PartitionWorker | None:
        return self._workers.get(partition)

    # ------------------------------------------------------------------ the poll loop

    def _dispatch(self, batches: dict[TopicPartition, list[Any]]) -> None:
        for tp, records in batches.items():
            worker = self._owner(tp.partition, tp, records)
            if worker is None:
                continue
            worker.submit(tp, records)
            if worker.backlog(tp) >= self.settings.batch_max_records:
                self._consumer.pause(tp)

    def _on_room(self, tp: TopicPartition) -> None:
        self._resume(tp.partition, tp)

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
        self._start_workers(by_partition, self._new_worker)

    def _new_worker(self, partition: int) -> PartitionWorker:
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
        return PartitionWorker(env)

    async def revoke(self, revoked: set[TopicPartition]) -> None:
        await self._stop_workers(tp.partition for tp in revoked)
