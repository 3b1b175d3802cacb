"""Reading topic partitions up to end offsets taken once: how every state loader rebuilds.

    async with state_consumer(bootstrap, client_id="edimesh-x") as consumer:
        async for record in read_from_start(consumer, tps):
            ...

`read_to_end` yields only records below `ends` and leaves each partition's position at its end,
so a read that goes on later (a tail) starts where this one stopped. Memory stays bounded: one
fetch per partition at a time, of at most `MAX_MESSAGE_BYTES`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from edimesh.mesh.kafka_security import client_options
from edimesh.mesh.topics import MAX_MESSAGE_BYTES

# Short polls: a fetch holding only transaction markers moves the position but returns no
# record, and getmany would then wait its whole timeout; the position check after each poll
# is what ends the read.
POLL_MS = 20
FETCH_WAIT_MS = 50


def state_consumer_options(isolation_level: str = "read_committed") -> dict[str, Any]:
    """AIOKafkaConsumer options of a group-less reader of whole partitions."""
    return {
        "isolation_level": isolation_level,
        "enable_auto_commit": False,
        "max_partition_fetch_bytes": MAX_MESSAGE_BYTES,
        "fetch_max_wait_ms": FETCH_WAIT_MS,
        **client_options(),
    }


@asynccontextmanager
async def state_consumer(
    bootstrap: str, *, client_id: str | None = None, isolation_level: str = "read_committed"
) -> AsyncIterator[Any]:
    """A started consumer without a group (assign partitions to it), stopped on exit."""
    extra = {} if client_id is None else {"client_id": client_id}
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, **extra, **state_consumer_options(isolation_level)
    )
    try:
        await consumer.start()
        yield consumer
    finally:
        await consumer.stop()


async def read_to_end(consumer: Any, ends: Mapping[TopicPartition, int]) -> AsyncIterator[Any]:
    """Every record of the partitions in `ends` from the consumer's positions up to (not
    including) their end offsets, batch by batch."""
    pending = [tp for tp, end in ends.items() if end > 0]
    while pending:
        batches = await consumer.getmany(*pending, timeout_ms=POLL_MS)
        for tp, batch in sorted(batches.items()):
            end = ends[tp]
            for record in batch:
                if record.offset >= end:
                    # Written after the ends were taken: leave it to a later read.
                    consumer.seek(tp, end)
                    break
                yield record
        pending = [tp for tp in pending if await consumer.position(tp) < ends[tp]]


async def read_from_start(
    consumer: Any, tps: Sequence[TopicPartition], ends: Mapping[TopicPartition, int] | None = None
) -> AsyncIterator[Any]:
    """Assign `tps` and read them from their beginning up to `ends` (default: the end offsets
    now, which for a read_committed consumer are the last stable offsets)."""
    consumer.assign(list(tps))
    await consumer.seek_to_beginning(*tps)
    if ends is None:
        ends = await consumer.end_offsets(list(tps))
    async for record in read_to_end(consumer, ends):
        yield record
