"""The shared consumer-group pieces: backoff bounds, stopping a worker task, the listener."""

from __future__ import annotations

import asyncio

from aiokafka import TopicPartition

from edimesh.mesh.backoff import jittered_backoff_s
from edimesh.mesh.group_member import Rebalance, finish_task


def test_backoff_doubles_within_jitter_and_stops_at_the_cap() -> None:
    for attempt, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (10, 3.0)):
        for _ in range(20):
            assert ceiling / 2 <= jittered_backoff_s(0.5, 3.0, attempt) <= ceiling


async def test_finish_task_waits_for_a_task_that_ends_and_cancels_one_that_does_not() -> None:
    quick = asyncio.create_task(asyncio.sleep(0))
    await finish_task(quick, 5)
    assert quick.done()
    assert not quick.cancelled()
    stuck = asyncio.create_task(asyncio.Event().wait())
    await finish_task(stuck, 0.01)
    assert stuck.cancelled()
    await finish_task(None, 1)


async def test_the_listener_hands_over_assignments_and_revocations() -> None:
    seen: list[tuple[str, set[TopicPartition]]] = []

    async def revoke(tps: set[TopicPartition]) -> None:
        seen.append(("revoked", tps))

    listener = Rebalance(lambda tps: seen.append(("assigned", tps)), revoke)
    tp = TopicPartition("t", 0)
    await listener.on_partitions_assigned({tp})
    await listener.on_partitions_revoked({tp})
    assert seen == [("assigned", {tp}), ("revoked", {tp})]
