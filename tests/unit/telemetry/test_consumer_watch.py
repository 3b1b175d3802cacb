"""ConsumerWatch: readiness follows the metadata probe; lag per assigned partition is the
stable end minus the fetch position, and revoked partitions stop being reported."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from aiokafka import TopicPartition
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from prometheus_client import CollectorRegistry

from edimesh.telemetry.consumer_watch import KAFKA_REACHABLE, ConsumerWatch
from edimesh.telemetry.health import Readiness
from edimesh.telemetry.metrics import MeshMetrics, configure_metrics, mesh_metrics
from edimesh.telemetry.settings import TelemetrySettings

T0, T1 = TopicPartition("edi.transactions", 0), TopicPartition("edi.transactions", 1)


class FakeConsumer:
    def __init__(self) -> None:
        self.assigned: set[TopicPartition] = {T0, T1}
        self.high: dict[TopicPartition, int | None] = {T0: 120, T1: None}
        self.stable: dict[TopicPartition, int | None] = {T0: 100, T1: None}
        self.positions: dict[TopicPartition, int] = {T0: 90, T1: 0}
        self.reachable = True
        self.probes = 0

    async def topics(self) -> set[str]:
        self.probes += 1
        if not self.reachable:
            raise ConnectionError("broker down")
        return {"edi.transactions"}

    def assignment(self) -> set[TopicPartition]:
        return set(self.assigned)

    def highwater(self, tp: TopicPartition) -> int | None:
        return self.high.get(tp)

    def last_stable_offset(self, tp: TopicPartition) -> int | None:
        return self.stable.get(tp)

    async def position(self, tp: TopicPartition) -> int:
        if tp not in self.assigned:
            raise RuntimeError("not assigned")
        return self.positions[tp]


@pytest.fixture
def metrics() -> Iterator[MeshMetrics]:
    provider = configure_metrics(
        TelemetrySettings(service_name="validator"),
        registry=CollectorRegistry(),
        readers=[InMemoryMetricReader()],
    )
    yield mesh_metrics(provider)
    provider.shutdown()


def watch_of(consumer: Any, metrics: MeshMetrics, readiness: Readiness) -> ConsumerWatch:
    return ConsumerWatch(
        consumer, readiness, metrics, group="validator", interval_s=0.01, timeout_s=1.0
    )


async def test_lag_is_the_stable_end_minus_the_position(metrics: MeshMetrics) -> None:
    consumer = FakeConsumer()
    watch = watch_of(consumer, metrics, Readiness(KAFKA_REACHABLE))
    await watch.sample_lag()
    # T1 has not fetched yet: no end known, nothing reported rather than a made-up number.
    assert metrics.lag == {("edi.transactions", 0, "validator"): 10}


async def test_without_a_stable_offset_the_high_watermark_is_the_end(
    metrics: MeshMetrics,
) -> None:
    consumer = FakeConsumer()
    consumer.stable[T0] = -1  # read_uncommitted consumers report -1
    watch = watch_of(consumer, metrics, Readiness(KAFKA_REACHABLE))
    await watch.sample_lag()
    assert metrics.lag == {("edi.transactions", 0, "validator"): 30}


async def test_a_revoked_partition_is_forgotten(metrics: MeshMetrics) -> None:
    consumer = FakeConsumer()
    consumer.high[T1], consumer.positions[T1] = 7, 7
    watch = watch_of(consumer, metrics, Readiness(KAFKA_REACHABLE))
    await watch.sample_lag()
    assert set(metrics.lag) == {("edi.transactions", 0, "validator"),
                                ("edi.transactions", 1, "validator")}  # fmt: skip
    consumer.assigned = {T1}
    await watch.sample_lag()
    assert metrics.lag == {("edi.transactions", 1, "validator"): 0}


async def test_readiness_follows_the_metadata_probe(metrics: MeshMetrics) -> None:
    consumer = FakeConsumer()
    readiness = Readiness(KAFKA_REACHABLE)
    task = asyncio.create_task(watch_of(consumer, metrics, readiness).run())
    try:
        await until(lambda: readiness.ready)
        consumer.reachable = False
        await until(lambda: KAFKA_REACHABLE in readiness.unmet())
        consumer.reachable = True
        await until(lambda: readiness.ready)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def until(check: Any) -> None:
    async with asyncio.timeout(10):  # a bound against hanging, not a speed check
        while True:
            if check():
                return
            await asyncio.sleep(0.01)
