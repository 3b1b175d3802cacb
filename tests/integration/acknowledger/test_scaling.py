"""A second acknowledger joining the group takes partition numbers whole (partition p of both
inputs together, with p's changelog); every group is still answered exactly once."""

from __future__ import annotations

from collections import Counter
from typing import Any

from edimesh.mesh.schemas import MessageType
from tests.integration.acknowledger.harness import AckBench
from tests.integration.acknowledger.records import group_key, manifest, result, send
from tests.integration.kafka_helpers import until
from tests.integration.splitter.conftest import BenchFactory
from tests.integration.validator.harness import ValidatorBench

GROUPS = 60
SETS = 5


async def test_a_second_instance_takes_whole_partitions_and_nothing_repeats(
    make_bench: BenchFactory, kafka_admin: Any
) -> None:
    abench = AckBench(ValidatorBench(await make_bench(partitions=4)))
    keys = [group_key(n) for n in range(1, GROUPS + 1)]
    for key in keys:
        await send(abench, manifest(key, emitted=SETS), MessageType.GROUP_MANIFEST)
    half = len(keys) // 2

    async def some_answered() -> bool:
        return len(await abench.acks()) >= 1

    async with abench.running(batch_max_records=4) as first:
        for key in keys[:half]:
            for st02 in range(1, SETS + 1):
                await send(abench, result(key, f"{st02:04d}"), MessageType.SET_RESULT)
        await until(some_answered, "the first instance answers a group")
        async with abench.running(batch_max_records=4) as second:
            for key in keys[half:]:
                for st02 in range(1, SETS + 1):
                    await send(abench, result(key, f"{st02:04d}"), MessageType.SET_RESULT)
            await abench.wait_acks(GROUPS)
            await abench.wait_consumed(kafka_admin)
            owned = [first.owned_partitions, second.owned_partitions]
    assert sorted(len(p) for p in owned) == [2, 2]
    assert set(owned[0]).isdisjoint(owned[1])
    acks = await abench.acks()
    assert Counter(k for k, _ in acks) == Counter(k.encode() for k in keys)
    assert all(a["status"] == "A" for _, a in acks)
