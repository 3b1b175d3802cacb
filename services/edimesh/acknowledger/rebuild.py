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

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

from edimesh.acknowledger.changelog import apply
from edimesh.acknowledger.state import PartitionState
from edimesh.errors import TransientError
from edimesh.mesh.topic_reader import read_from_start, state_consumer

_log = logging.getLogger(__name__)


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
    count = 0
    try:
        async with asyncio.timeout(timeout_s), state_consumer(bootstrap) as consumer:
            async for record in read_from_start(consumer, [changelog]):
                apply(state, record.key, record.value, record.headers, record.timestamp)
                count += 1
    except TimeoutError:
        raise TransientError(f"changelog partition {changelog.partition} not read within "
                             f"{timeout_s}s") from None  # fmt: skip
    except KafkaError as exc:
        raise TransientError(f"reading the changelog failed: {type(exc).__name__}") from exc
    state.prune()
    _log.info("acknowledger state rebuilt", extra={
        "partition": changelog.partition, "records": count, "pending_groups": len(state.pending),
        "done_groups": len(state.done)})  # fmt: skip
    return state
