"""The lifecycle every consume-transform-produce service repeats (splitter, validator,
acknowledger), as one small base class:

    class ValidatorService(GroupService[TopicPartition, PartitionWorker]):
        max_poll_records = 500

        async def _start(self, stack):          # what only this service starts
            await self.pool.start()
            stack.push_async_callback(self.pool.stop)
            await self._join(stack, [topic], metrics, probe_interval_s=KAFKA_PROBE_INTERVAL_S)

        def _dispatch(self, batches):           # one poll's records, to the workers
            for tp, records in batches.items():
                if (worker := self._owner(tp, tp, records)) is not None:
                    worker.submit(records)

        def assign(self, assigned):             # the rebalance listener's two calls
            self._start_workers(assigned, self._new_worker)

        async def revoke(self, revoked):
            await self._stop_workers(revoked)

Entering the service starts the health endpoint first (so /livez answers while the service
loads), then the service's own `_start`, which joins the group last (`_join`): the consumer, the
rebalance listener, the workers' stop (pushed so it runs before the consumer leaves the group)
and the background Kafka probe and lag watch (`telemetry.consumer_watch`). Ready means the
three conditions below; leaving the service clears `started` first (draining: no new traffic).

Partition workers are keyed by TopicPartition (one input topic) or by partition number (the
acknowledger's co-partitioned inputs); a worker finishes its current batch when stopped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError

from edimesh.errors import TransientError
from edimesh.mesh.group_member import Rebalance, group_consumer
from edimesh.mesh.kafka_security import tls_failure
from edimesh.mesh.poll_loop import poll_until_stopped
from edimesh.mesh.service_settings import GroupServiceSettings
from edimesh.mesh.topics import mesh_topics
from edimesh.telemetry.consumer_watch import ConsumerWatch
from edimesh.telemetry.health import HealthServer, Readiness
from edimesh.telemetry.metrics import MeshMetrics

# Readiness conditions (the names /readyz reports when unmet).
STARTED = "started"
KAFKA_REACHABLE = "kafka_reachable"
PARTITIONS_ASSIGNED = "partitions_assigned"
KAFKA_PROBE_TIMEOUT_S = 5.0


class Worker(Protocol):
    """What the service uses of a partition worker."""

    @property
    def stopping(self) -> bool: ...
    def start(self) -> None: ...
    async def stop(self, timeout_s: float) -> None: ...


K = TypeVar("K", TopicPartition, int)
W = TypeVar("W", bound=Worker)


class GroupService(Generic[K, W]):
    """A consumer group member with one worker per owned partition; an async context manager.

    Subclasses give `_start` (their own start-up, ending in `_join`), `_dispatch` (hands a
    poll's records to the workers), and `assign` and `revoke` (the rebalance listener calls
    them, they use `_start_workers`/`_stop_workers`).
    """

    max_poll_records: ClassVar[int]

    def __init__(self, name: str, settings: GroupServiceSettings, log: logging.Logger) -> None:
        self.name = name
        self._group_settings = settings
        self.topics = mesh_topics(settings.topic_prefix)
        self._log = log  # the service's own logger: its log lines keep their logger name
        self.readiness = Readiness(STARTED, KAFKA_REACHABLE, PARTITIONS_ASSIGNED)
        self._health = HealthServer(settings.health, self.readiness)
        self._workers: dict[K, W] = {}
        self._stop = asyncio.Event()
        self._stack: AsyncExitStack | None = None
        self._consumer: Any = None
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    async def _start(self, stack: AsyncExitStack) -> None:
        """The service's own start-up (the health endpoint runs already), ending in `_join`;
        what it starts, it pushes on `stack`, which unwinds in reverse at the close."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        stack = AsyncExitStack()
        try:
            await stack.enter_async_context(self._health)
            await self._start(stack)
        except BaseException:
            await stack.aclose()
            raise
        self.readiness.set(STARTED)
        self._stack = stack
        self._log.info(f"{self.name} started",
                       extra={"settings": self._group_settings.describe()})  # fmt: skip
        return self

    async def _join(
        self,
        stack: AsyncExitStack,
        topics: list[str],
        metrics: MeshMetrics,
        *,
        probe_interval_s: float,
        probe_timeout_s: float = KAFKA_PROBE_TIMEOUT_S,
        **consumer_options: Any,
    ) -> None:
        """Start the group consumer, subscribe, and watch Kafka (reachability and lag)."""
        settings = self._group_settings
        consumer = group_consumer(settings, **consumer_options)
        stack.push_async_callback(consumer.stop)
        try:
            await consumer.start()
        except KafkaConnectionError as exc:  # aiokafka logs the cause; say it (exit 1)
            why = await tls_failure(settings.bootstrap_servers)
            raise TransientError(f"Kafka at {settings.bootstrap_servers} is unreachable"
                                 f"{f': {why}' if why else ''}") from exc  # fmt: skip
        self._consumer = consumer
        stack.push_async_callback(self._stop_all_workers)  # before the consumer leaves the group
        consumer.subscribe(topics, listener=Rebalance(self.assign, self.revoke))
        watch = ConsumerWatch(consumer, self.readiness, metrics, group=settings.group_id,
                              interval_s=probe_interval_s, timeout_s=probe_timeout_s,
                              condition=KAFKA_REACHABLE)  # fmt: skip
        probe = asyncio.create_task(watch.run(), name=f"{self.name}-kafka-probe")
        stack.push_async_callback(cancel_task, probe)

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
        self._log.info(f"{self.name} stopped")

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
        await poll_until_stopped(consumer, self._stop, self._dispatch, self.max_poll_records)

    def _dispatch(self, batches: dict[TopicPartition, list[Any]]) -> None:
        """Hand one poll's records to their workers (`_owner`), pausing what is full."""
        raise NotImplementedError

    def _owner(self, key: K, tp: TopicPartition, records: list[Any]) -> W | None:
        """The worker that takes `records` of `tp`; None when there is none right now, and then
        the records are fetched again once one exists."""
        worker = self._workers.get(key)
        if worker is None or worker.stopping:
            if tp in self._consumer.assignment():
                self._consumer.seek(tp, records[0].offset)
            return None
        return worker

    def _resume(self, key: K, tp: TopicPartition) -> None:
        """Resume `tp` (paused while its worker was busy) if it is still owned."""
        consumer = self._consumer
        if consumer is not None and key in self._workers and tp in consumer.assignment():
            consumer.resume(tp)

    async def _committed(self, tp: TopicPartition) -> int | None:
        offset: int | None = await self._consumer.committed(tp)
        return offset

    # ------------------------------------------------------------------ rebalancing

    def assign(self, assigned: set[TopicPartition]) -> None:
        raise NotImplementedError

    async def revoke(self, revoked: set[TopicPartition]) -> None:
        raise NotImplementedError

    def _start_workers(self, keys: Iterable[K], new_worker: Callable[[K], W]) -> None:
        """Start a worker for every newly owned key; an empty assignment is a valid idle member
        (more members than partitions)."""
        if self._stop.is_set():
            return  # a join that completes while stopping must not start producers nobody stops
        owned = sorted(set(keys))
        for key in owned:
            if key not in self._workers:
                worker = new_worker(key)
                self._workers[key] = worker
                worker.start()
        self.readiness.set(PARTITIONS_ASSIGNED)
        self._log.info("partitions assigned", extra={"partitions": _numbers(owned)})

    async def _stop_workers(self, keys: Iterable[K]) -> None:
        """Stop the workers of `keys`, each finishing its current batch (bounded)."""
        self.readiness.clear(PARTITIONS_ASSIGNED)  # rebalancing (or stopping)
        revoked = set(keys)
        workers = [self._workers.pop(key) for key in revoked if key in self._workers]
        timeout_s = self._group_settings.shutdown_timeout_s
        await asyncio.gather(*(w.stop(timeout_s) for w in workers))
        if revoked:
            self._log.info("partitions revoked", extra={"partitions": _numbers(revoked)})

    async def _stop_all_workers(self) -> None:
        await self._stop_workers(list(self._workers))


def _numbers(keys: Iterable[TopicPartition | int]) -> list[int]:
    return sorted({key if isinstance(key, int) else key.partition for key in keys})


async def cancel_task(task: asyncio.Task[Any]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
