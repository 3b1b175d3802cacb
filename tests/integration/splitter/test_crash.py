"""The crash checker: the splitter as a real process, killed with SIGKILL at random moments
(and, second, paused with SIGSTOP while another instance joins the group), restarted each time.
A read_committed reader then finds every expected idempotency key exactly once."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import time
from collections import Counter
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from edimesh.x12.synth import SynthOptions, generate_837p, iter_keys
from tests.integration.kafka_helpers import partitions_of, started
from tests.integration.splitter.conftest import BenchFactory
from tests.integration.splitter.harness import SplitterBench

pytestmark = pytest.mark.slow
SEED = int(os.environ.get("EDIMESH_CRASH_SEED", "0")) or random.SystemRandom().randrange(1 << 30)
KILLS = 10
# Many small transactions: the split lasts long enough for every kill to land inside it.
SMALL_BATCHES = {"batch_max_outputs": 5, "read_chunk_bytes": 64 * 1024}


async def committed_messages(bench: SplitterBench) -> int:
    """Committed end offsets of the transactions topic, summed: grows with each commit."""
    spec = bench.topics.transactions
    consumer = AIOKafkaConsumer(bootstrap_servers=bench.bootstrap, isolation_level="read_committed")
    async with started(consumer):
        ends = await consumer.end_offsets(partitions_of(spec.name, spec.partitions))
    return sum(ends.values())


async def until_new_commit(bench: SplitterBench, proc: subprocess.Popen[bytes], since: int) -> int:
    """Wait until the process commits something new; fail if it dies or stalls."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"splitter exited with {proc.returncode} (see its log)"
        now = await committed_messages(bench)
        if now > since:
            return now
        await asyncio.sleep(0.05)
    pytest.fail("the splitter committed nothing for 60s")


def assert_exactly_once(records: list[Any], expected: list[str]) -> None:
    counts = Counter(r.key.decode() for r in records)
    lost = [k for k in expected if counts[k] == 0]
    duplicated = {k: n for k, n in counts.items() if n > 1}
    unexpected = set(counts) - set(expected)
    assert not lost, f"{len(lost)} set(s) lost, e.g. {lost[:3]} (seed {SEED})"
    assert not duplicated, f"{len(duplicated)} set(s) duplicated (seed {SEED})"
    assert not unexpected, f"{len(unexpected)} unexpected key(s) (seed {SEED})"


async def finish(bench: SplitterBench, kafka_admin: Any, *names: str) -> None:
    """Run to the end with fresh processes, then stop them gracefully."""
    procs = [bench.spawn(name, instance_id=f"crash-{name}", **SMALL_BATCHES) for name in names]
    await bench.wait_consumed(kafka_admin, "the split completes after the crashes")
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        assert await asyncio.to_thread(proc.wait, 30) == 0


async def test_kill_9_at_random_moments_loses_and_duplicates_nothing(
    make_bench: BenchFactory, kafka_admin: Any
) -> None:
    rng = random.Random(SEED)
    bench = await make_bench(partitions=3)
    options = SynthOptions(claims=5000, claims_per_set=1, sets_per_group=250,
                           groups_per_interchange=4)  # fmt: skip
    expected = list(iter_keys(options))
    assert len(expected) >= 5000
    await bench.stage(generate_837p(options))

    moments = []
    for kill in range(KILLS):
        # A commit the last process had in flight may still land: measure after it settles.
        await asyncio.sleep(0.3)
        proc = bench.spawn("a", instance_id="crash-a", **SMALL_BATCHES)
        seen = await until_new_commit(bench, proc, await committed_messages(bench))
        await asyncio.sleep(rng.uniform(0, 0.8))  # this process is splitting: kill it anywhere
        assert proc.poll() is None, f"the split ended before kill {kill + 1} (seed {SEED})"
        proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(proc.wait)
        moments.append(seen)
    assert len(moments) == KILLS
    assert moments[-1] < len(expected), "every kill landed before the split was complete"

    await finish(bench, kafka_admin, "a")
    assert_exactly_once(await bench.read(bench.topics.transactions), expected)
    manifests = await bench.read(bench.topics.group_manifests)
    assert len(manifests) == len({r.key for r in manifests}) == 20


async def test_paused_instances_and_rebalances_lose_and_duplicate_nothing(
    make_bench: BenchFactory, kafka_admin: Any
) -> None:
    rng = random.Random(SEED)
    bench = await make_bench(partitions=3)
    expected: list[str] = []
    for i in range(6):  # several files over the partitions; distinct control numbers
        options = SynthOptions(claims=3000, claims_per_set=1, sets_per_group=500,
                               first_isa13=1000 * (i + 1), first_gs06=10_000 * (i + 1),
                               first_st02=100_000 * (i + 1))  # fmt: skip
        expected += iter_keys(options)
        await bench.stage(generate_837p(options))

    first = bench.spawn("a", instance_id="crash-a", **SMALL_BATCHES)
    seen = await until_new_commit(bench, first, 0)
    second: subprocess.Popen[bytes] | None = None
    for _ in range(2):
        # A zombie: paused past its session while holding partitions and an open transaction.
        first.send_signal(signal.SIGSTOP)
        if second is None:
            second = bench.spawn("b", instance_id="crash-b", **SMALL_BATCHES)
        seen = await until_new_commit(bench, second, seen)  # b took over and fenced a
        await asyncio.sleep(rng.uniform(6.5, 8))  # past a's session timeout
        first.send_signal(signal.SIGCONT)  # a wakes up fenced and rejoins: rebalance
        seen = await until_new_commit(bench, second, seen)
        await asyncio.sleep(rng.uniform(0.5, 2))
    for proc in (first, second):
        assert proc is not None
        proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(proc.wait)

    await finish(bench, kafka_admin, "a", "b")
    assert_exactly_once(await bench.read(bench.topics.transactions), expected)
