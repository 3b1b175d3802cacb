"""The crash checker: the validator as a real process, killed with SIGKILL at random moments
during a 5,000-set run and restarted each time. A read_committed reader then finds every input
key exactly once across validated + quarantine + dlq."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import time
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from edimesh.x12.synth import SynthOptions, generate_837p, iter_keys
from tests.integration.kafka_helpers import partitions_of, started, until
from tests.integration.splitter.conftest import BenchFactory
from tests.integration.splitter.test_crash import assert_exactly_once
from tests.integration.validator.harness import ValidatorBench

pytestmark = pytest.mark.slow
SEED = int(os.environ.get("EDIMESH_CRASH_SEED", "0")) or random.SystemRandom().randrange(1 << 30)
KILLS = 10
SMALL_BATCHES = {"batch_max_records": 3}  # many transactions: every kill lands inside the run
OUTPUTS = ("validated", "quarantine", "dlq")


async def committed_outputs(vbench: ValidatorBench) -> int:
    """Committed end offsets of the output topics, summed: grows with each commit (records and
    commit markers, so it is a progress signal, not a record count)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=vbench.splitter.bootstrap,
                                isolation_level="read_committed")  # fmt: skip
    specs = [getattr(vbench.splitter.topics, name) for name in OUTPUTS]
    tps = [tp for spec in specs for tp in partitions_of(spec.name, spec.partitions)]
    async with started(consumer):
        ends = await consumer.end_offsets(tps)
    return sum(ends.values())


async def until_new_commit(vbench: ValidatorBench, proc: subprocess.Popen[bytes],
                           since: int) -> int:  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"validator exited with {proc.returncode} (see its log)"
        now = await committed_outputs(vbench)
        if now > since:
            return now
        await asyncio.sleep(0.05)
    pytest.fail("the validator committed nothing for 60s")


async def test_kill_9_at_random_moments_loses_and_duplicates_nothing(
    make_bench: BenchFactory, kafka_admin: Any
) -> None:
    rng = random.Random(SEED)
    vbench = ValidatorBench(await make_bench(partitions=3))
    options = SynthOptions(claims=5000, claims_per_set=1, sets_per_group=250,
                           groups_per_interchange=4)  # fmt: skip
    expected = list(iter_keys(options))
    assert len(expected) >= 5000
    await vbench.splitter.stage(generate_837p(options))
    async with vbench.splitter.running():
        await vbench.splitter.wait_consumed(kafka_admin)

    for kill in range(KILLS):
        await asyncio.sleep(0.3)  # a commit in flight may still land: measure after it settles
        proc = vbench.spawn("a", instance_id="crash-a", **SMALL_BATCHES)
        await until_new_commit(vbench, proc, await committed_outputs(vbench))
        await asyncio.sleep(rng.uniform(0, 0.8))  # this process is validating: kill it anywhere
        assert proc.poll() is None, f"the run ended before kill {kill + 1} (seed {SEED})"
        proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(proc.wait)
    # End offsets count commit markers too, so count the committed records themselves.
    so_far = 0
    for name in OUTPUTS:
        so_far += len(await vbench.splitter.read(getattr(vbench.splitter.topics, name)))
    assert so_far < len(expected), f"every kill landed before the run was complete (seed {SEED})"

    proc = vbench.spawn("a", instance_id="crash-a")  # the rest at full speed
    ends: dict[Any, int] = {}  # past the last set of each partition (markers follow it)
    for record in await vbench.splitter.read(vbench.splitter.topics.transactions):
        tp = TopicPartition(record.topic, record.partition)
        ends[tp] = max(ends.get(tp, 0), record.offset + 1)

    async def consumed() -> bool:
        offsets = await kafka_admin.list_consumer_group_offsets(vbench.group_id)
        return all(tp in offsets and offsets[tp].offset >= end for tp, end in ends.items())

    await until(consumed, "the validator consumes every set after the crashes")
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(proc.wait, 30) == 0
    records = []
    for name in OUTPUTS:
        records += await vbench.splitter.read(getattr(vbench.splitter.topics, name))
    assert_exactly_once(records, expected)

