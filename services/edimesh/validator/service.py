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
every owned partition while the memory all workers hold for uncommitted sets (input, and the
outputs: counted before they exist) exceeds `max_queued_mb`; a paused partition is resumed when
both have room again. At most `max_in_flight` sets are in the validation pool at once.
The poll loop does no validation, so the group session stays healthy.

Health (EDIMESH_HEALTH_PORT, `settings.health`): the endpoint starts first, so /livez answers
while the guides load. Ready means started (pool up, consumer started, not draining), Kafka
answering a metadata request (probed every few seconds, `telemetry.consumer_watch`, which also
records the consumer lag per partition), and the group joined with an assignment (possibly
empty: more members than partitions is a valid idle member).
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from typing import Any

from aiokafka import TopicPartition

from edimesh.mesh.group_service import KAFKA_REACHABLE, PARTITIONS_ASSIGNED, STARTED, GroupService
from edimesh.mesh.telemetry_parts import TelemetryParts
from edimesh.mesh.topics import MAX_MESSAGE_BYTES
from edimesh.mesh.transactions import PartitionProducer
from edimesh.validator.observe import ValidatorTelemetry
from edimesh.validator.pool import ValidationPool
from edimesh.validator.settings import ValidatorSettings
from edimesh.validator.worker import SERVICE, PartitionWorker, WorkerEnv

__all__ = ["KAFKA_REACHABLE", "PARTITIONS_ASSIGNED", "STARTED", "MiB", "ValidatorService"]
_log = logging.getLogger(__name__)
MAX_POLL_RECORDS = 100  # one poll may overshoot the budget: ~42 KB x 6 per set
MiB = 1 << 20
# One fetch answer, held (compressed) until polled: with aiokafka's 50 MiB default, answers held
# as read and as parsed cost ~130 MB of peak RSS in the e2e bench. Still fits the biggest message.
FETCH_MAX_BYTES = MAX_MESSAGE_BYTES
KAFKA_PROBE_INTERVAL_S = 5.0  # read at each start (tests shorten it)


class ValidatorService(GroupService[TopicPartition, PartitionWorker]):
    """Consumes TransactionSets and routes each exactly once."""

    max_poll_records = MAX_POLL_RECORDS

    def __init__(
        self, settings: ValidatorSettings, telemetry: TelemetryParts | None = None
    ) -> None:
        super().__init__(SERVICE, settings, _log)
        self.settings = settings
        self.telemetry = ValidatorTelemetry.of(telemetry, settings.group_id, self.topics)
        self.pool = ValidationPool(settings.worker_processes, settings.max_in_flight,
                                   settings.pool_batch_sets)  # fmt: skip
        self._paused: set[TopicPartition] = set()
        self._budget_bytes = settings.max_queued_mb * MiB

    async def _start(self, stack: AsyncExitStack) -> None:
        await self.pool.start()  # the guides load before polling
        stack.push_async_callback(self.pool.stop)
        await self._join(stack, [self.topics.transactions.name], self.telemetry.metrics,
                         probe_interval_s=KAFKA_PROBE_INTERVAL_S,
                         fetch_max_bytes=FETCH_MAX_BYTES)  # fmt: skip

    @property
    def owned_partitions(self) -> list[TopicPartition]:
        """The input partitions this instance owns right now."""
        return sorted(self._workers)

    # ------------------------------------------------------------------ the poll loop

    def _dispatch(self, batches: dict[TopicPartition, list[Any]]) -> None:
        for tp, records in batches.items():
            worker = self._owner(tp, tp, records)
            if worker is None:
                continue
            worker.submit(records)
            if worker.backlog >= self.settings.batch_max_records:
                self._pause(tp)  # until the worker has room
        if self.queued_bytes() >= self._budget_bytes:
            # Every owned partition, not only those that delivered: each would otherwise
            # bring one more poll's worth before it is paused.
            for tp in self._workers:
                self._pause(tp)

    def _pause(self, tp: TopicPartition) -> None:
        if tp not in self._paused and tp in self._consumer.assignment():
            self._consumer.pause(tp)
            self._paused.add(tp)

    def queued_bytes(self) -> int:
        """Memory held by all partition workers for their uncommitted sets (input and outputs,
        `PartitionWorker.backlog_bytes`)."""
        return sum(w.backlog_bytes for w in self._workers.values())

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

    # ------------------------------------------------------------------ rebalancing

    def assign(self, assigned: set[TopicPartition]) -> None:
        self._start_workers(assigned, self._new_worker)

    def _new_worker(self, tp: TopicPartition) -> PartitionWorker:
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
        return PartitionWorker(env)

    async def revoke(self, revoked: set[TopicPartition]) -> None:
        self._paused -= revoked  # a partition assigned again starts unpaused
        await self._stop_workers(revoked)
