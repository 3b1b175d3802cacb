"""A second instance joining the group takes over part of the partitions mid-run; every set
is still routed exactly once."""

from __future__ import annotations

from typing import Any

from edimesh.x12.synth import SynthOptions, generate_837p, iter_keys
from tests.integration.kafka_helpers import until
from tests.integration.splitter.conftest import BenchFactory
from tests.integration.splitter.test_crash import assert_exactly_once
from tests.integration.validator.harness import ValidatorBench
from tests.integration.validator.test_crash import OUTPUTS, committed_outputs


async def test_a_second_instance_splits_the_partitions_and_nothing_repeats(
    make_bench: BenchFactory, kafka_admin: Any
) -> None:
    vbench = ValidatorBench(await make_bench(partitions=4))
    options = SynthOptions(claims=3000, claims_per_set=1, sets_per_group=250)
    expected = list(iter_keys(options))
    await vbench.splitter.stage(generate_837p(options))
    async with vbench.splitter.running():
        await vbench.splitter.wait_consumed(kafka_admin)
    async with vbench.running(batch_max_records=5) as first:
        await until(lambda: _at_least(vbench, 100), "the first instance commits")
        async with vbench.running(batch_max_records=5) as second:
            await vbench.wait_outputs(len(expected))
            owned = [len(first.owned_partitions), len(second.owned_partitions)]
    assert sorted(owned) == [2, 2]
    records = []
    for name in OUTPUTS:
        records += await vbench.splitter.read(getattr(vbench.splitter.topics, name))
    assert_exactly_once(records, expected)


async def _at_least(vbench: ValidatorBench, count: int) -> bool:
    return await committed_outputs(vbench) >= count
