"""Reading one changelog partition back into a `PartitionState` at assignment.

Called after the partition's producer was initialised: InitProducerId returns only once the
previous owner's transactions are complete (markers written), so reading read_committed up to
the partition's end offset then sees everything that owner committed and nothing it aborted.

Done entries answered before the retention window are not restored (see `state.py`), so the
memory held and the time to rebuild follow the window, not the service's age.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from edimesh.acknowledger.changelog import apply
from edimesh.acknowledger.state import PartitionState
from edimesh.errors import TransientError
from edimesh.mesh.kafka_security import client_options
from edimesh.mesh.topics import MAX_MESSAGE_BYTES

_log = logging.getLogger(__name__)
# Short polls: a fetch holding only transaction markers moves the position but returns no
# record; the position check after each poll is what ends the read.
_POLL_MS = 20
_FETCH_WAIT_MS = 50


async def rebuild(
    bootstrap: str,
    changelog: TopicPartition,
    partitions: int,
    *,
    timeout_s: float,
    done_retention_ms: int | None = None,
    clock: Callable[[], float] = time.time,
) -> PartitionState:
    """The state kept in partition `changelog` (of a topic with `partitions` partitions)."""
    state = PartitionState(changelog.partition, partitions, done_retention_ms)
    state.restore_now_ms = int(clock() * 1000)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        isolation_level="read_committed",
        enable_auto_commit=False,
        max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
        fetch_max_wait_ms=_FETCH_WAIT_MS,
        **client_options(),
    )
    count = 0
    try:
        async with asyncio.timeout(timeout_s):
            await consumer.start()
            consumer.assign([changelog])
            await consumer.seek_to_beginning(changelog)
            end = (await consumer.end_offsets([changelog]))[changelog]
            while await consumer.position(changelog) < end:
                batches = await consumer.getmany(changelog, timeout_ms=_POLL_MS)
                for record in batches.get(changelog, []):
                    apply(state, record.key, record.value, record.headers, record.timestamp)
                    count += 1
    except TimeoutError:
        raise TransientError(f"changelog partition {changelog.partition} not read within "
                             f"{timeout_s}s") from None  # fmt: skip
    except KafkaError as exc:
        raise TransientError(f"reading the changelog failed: {type(exc).__name__}") from exc
    finally:
        await consumer.stop()
    state.prune()
    _log.info("acknowledger state rebuilt", extra={
        "partition": changelog.partition, "records": count, "pending_groups": len(state.pending),
        "done_groups": len(state.done)})  # fmt: skip
    return state
