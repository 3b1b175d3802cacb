"""Helpers for tests against a real Kafka: bounded polling, reading a topic to its end.

Every wait is bounded by WAIT_S and fails the test with a message saying what did not happen;
none of them asserts anything about speed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

WAIT_S = 60.0  # bound on every "until" loop; never an assertion about speed


@asynccontextmanager
async def started(client: Any) -> AsyncIterator[Any]:
    await client.start()
    try:
        yield client
    finally:
        await client.stop()


def partitions_of(topic: str, count: int) -> list[TopicPartition]:
    return [TopicPartition(topic, p) for p in range(count)]


async def end_offsets(
    bootstrap: str, tps: Sequence[TopicPartition], isolation_level: str
) -> dict[TopicPartition, int]:
    """High watermarks (read_uncommitted) or last stable offsets (read_committed)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level=isolation_level)
    async with started(consumer):
        return dict(await consumer.end_offsets(list(tps)))


async def until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll the broker's state (nothing local to wait on) until `check` holds, within WAIT_S."""
    try:
        async with asyncio.timeout(WAIT_S):
            while True:
                if await check():
                    return
                await asyncio.sleep(0.1)
    except TimeoutError:
        pytest.fail(f"{what}: not reached within {WAIT_S:.0f}s")


async def wait_until_stable(bootstrap: str, tps: Sequence[TopicPartition]) -> None:
    """Until no transaction is open on `tps` (LSO == HW): its markers are written."""

    async def stable() -> bool:
        committed = await end_offsets(bootstrap, tps, "read_committed")
        return committed == await end_offsets(bootstrap, tps, "read_uncommitted")

    await until(stable, f"no open transaction on {list(tps)}")


async def read_all(
    bootstrap: str, topic: str, partitions: int = 1, *, isolation_level: str = "read_committed"
) -> list[Any]:
    """Every record visible at this isolation level, from the beginning up to the end offsets."""
    tps = partitions_of(topic, partitions)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        isolation_level=isolation_level,
        enable_auto_commit=False,
        max_partition_fetch_bytes=32 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
    )
    records: list[Any] = []
    async with started(consumer), asyncio.timeout(WAIT_S):
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        pending = [tp for tp in tps if ends[tp] > 0]
        while pending:
            batches = await consumer.getmany(*pending, timeout_ms=500)
            for batch in batches.values():
                records.extend(batch)
            pending = [tp for tp in pending if await consumer.position(tp) < ends[tp]]
    return records


class TopicFactory(Protocol):
    async def __call__(
        self, *, partitions: int = 1, config: Mapping[str, str] | None = None
    ) -> str: ...


async def wait_for_leaders(admin: Any, topic: str, partitions: int) -> None:
    """Metadata shows a leader for every partition: produce/fetch will not bounce."""

    async def led() -> bool:
        described = await admin.describe_topics([topic])
        parts = described[0]["partitions"] if described else []
        return len(parts) == partitions and all(p["leader"] >= 0 for p in parts)

    await until(led, f"a leader for each of the {partitions} partitions of {topic}")
