"""A consumer group member's background check: is Kafka reachable, and how far behind is it?

    watch = ConsumerWatch(consumer, readiness, metrics, group="edimesh-validator")
    task = asyncio.create_task(watch.run())

Every `interval_s`:
- reachability: a metadata request (a cheap round trip to any broker). The consumer itself just
  polls empty when the broker is gone, so this is what makes the pod unready (not dead). A slow
  request is not cancelled (that can leave aiokafka's connection half made): it counts as
  unreachable, and no new one starts until it ends.
- lag per assigned partition: the end of the partition the consumer last saw (the last stable
  offset under read_committed, else the high watermark, both from fetch responses) minus its
  fetch position. Revoked partitions stop being reported. This is the fetch lag: records
  fetched but still queued in a worker do not count.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from edimesh.telemetry.health.probes import Readiness
from edimesh.telemetry.metrics import MeshMetrics

KAFKA_REACHABLE = "kafka_reachable"
POSITION_TIMEOUT_S = 1.0

_log = logging.getLogger(__name__)


class WatchedConsumer(Protocol):
    """What the watch uses of aiokafka's AIOKafkaConsumer."""

    async def topics(self) -> Any: ...
    def assignment(self) -> Any: ...
    def highwater(self, partition: Any) -> int | None: ...
    def last_stable_offset(self, partition: Any) -> int | None: ...
    async def position(self, partition: Any) -> int: ...


class ConsumerWatch:
    def __init__(
        self,
        consumer: WatchedConsumer,
        readiness: Readiness,
        metrics: MeshMetrics,
        *,
        group: str,
        interval_s: float = 5.0,
        timeout_s: float = 5.0,
        condition: str = KAFKA_REACHABLE,
    ) -> None:
        self._consumer = consumer
        self._readiness = readiness
        self._metrics = metrics
        self._group = group
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._condition = condition
        self._reported: set[tuple[str, int]] = set()

    async def run(self) -> None:
        reachable: bool | None = None
        pending: asyncio.Task[Any] | None = None
        try:
            while True:
                if pending is None:
                    pending = asyncio.create_task(self._consumer.topics())
                done, _ = await asyncio.wait({pending}, timeout=self._timeout_s)
                error: BaseException | None = TimeoutError()
                if done:
                    # Any failure counts as unreachable; only its class is logged.
                    error, pending = pending.exception(), None
                if error is not None and reachable is not False:
                    _log.warning("kafka unreachable", extra={"error": type(error).__name__})
                elif error is None and reachable is False:
                    _log.info("kafka reachable again")
                reachable = error is None
                self._readiness.set(self._condition, reachable)
                if reachable:
                    await self.sample_lag()
                await asyncio.sleep(self._interval_s)
        finally:
            if pending is not None:
                pending.cancel()
                await asyncio.gather(pending, return_exceptions=True)

    async def sample_lag(self) -> None:
        """Record the lag of every assigned partition whose end is known; forget the others."""
        seen: set[tuple[str, int]] = set()
        for tp in sorted(self._consumer.assignment()):
            end = self._end(tp)
            if end is None:
                continue
            try:
                position = await asyncio.wait_for(self._consumer.position(tp), POSITION_TIMEOUT_S)
            except Exception:  # noqa: BLE001, S112 - revoked meanwhile, or no position yet: skip
                continue
            self._metrics.set_lag(tp.topic, tp.partition, self._group, max(0, end - position))
            seen.add((tp.topic, tp.partition))
        for topic, partition in self._reported - seen:
            self._metrics.forget_lag(topic, partition, self._group)
        self._reported = seen

    def _end(self, tp: Any) -> int | None:
        stable = self._consumer.last_stable_offset(tp)
        if stable is not None and stable >= 0:
            return stable
        return self._consumer.highwater(tp)
