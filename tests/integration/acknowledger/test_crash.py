"""The crash checker: the acknowledger as a real process, killed with SIGKILL at random moments
during a 5,000-set run and restarted each time. Every group's 999 then exists exactly once
(read_committed), with unique control numbers and AK9 counts that match its results; and
replaying every manifest and some results changes nothing."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import time
from collections import Counter, defaultdict
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from edimesh.mesh.codec import encode
from edimesh.mesh.schemas import MessageType
from edimesh.x12.ack999 import ACCEPTED
from edimesh.x12.synth import SynthOptions, generate_837p, iter_keys
from tests.integration.acknowledger.harness import AckBench, parse_999
from tests.integration.kafka_helpers import partitions_of, started, until
from tests.integration.splitter.conftest import BenchFactory
from tests.integration.validator.harness import ValidatorBench

pytestmark = pytest.mark.slow
SEED = int(os.environ.get("EDIMESH_CRASH_SEED", "0")) or random.SystemRandom().randrange(1 << 30)
KILLS = 10
SMALL_BATCHES = {"batch_max_records": 3}  # many transactions: every kill lands inside the run


async def changelog_end(abench: AckBench) -> int:
    """Committed end offsets of the changelog, summed: grows with each commit."""
    spec = abench.splitter.topics.acknowledger_state
    consumer = AIOKafkaConsumer(bootstrap_servers=abench.splitter.bootstrap,
                                isolation_level="read_committed")  # fmt: skip
    async with started(consumer):
        ends = await consumer.end_offsets(partitions_of(spec.name, spec.partitions))
    return sum(ends.values())


async def until_new_commit(abench: AckBench, proc: subprocess.Popen[bytes], since: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"acknowledger exited with {proc.returncode} (see its log)"
        if await changelog_end(abench) > since:
            return
        await asyncio.sleep(0.05)
    pytest.fail("the acknowledger committed nothing for 60s")


async def test_kill_9_at_random_moments_gives_each_group_one_999(
    make_bench: BenchFactory, kafka_admin: Any
) -> None:
    rng = random.Random(SEED)
    abench = AckBench(ValidatorBench(await make_bench(partitions=3)))
    splitter, topics = abench.splitter, abench.splitter.topics
    options = SynthOptions(claims=5000, claims_per_set=1, sets_per_group=50,
                           groups_per_interchange=4)  # fmt: skip
    expected = list(iter_keys(options))
    assert len(expected) >= 5000
    await splitter.stage(generate_837p(options))

    async def all_results() -> bool:
        return len(await splitter.read(topics.set_results)) >= len(expected)

    async with splitter.running(), abench.validator.running():
        await until(all_results, "a SetResult for every set")
    manifests = await splitter.decoded(topics.group_manifests)
    results = await splitter.decoded(topics.set_results)
    assert len(manifests) == len(expected) // 50

    for kill in range(KILLS):
        await asyncio.sleep(0.3)  # a commit in flight may still land: measure after it settles
        proc = abench.spawn("a", instance_id="crash-a", **SMALL_BATCHES)
        await until_new_commit(abench, proc, await changelog_end(abench))
        await asyncio.sleep(rng.uniform(0, 0.8))
        assert proc.poll() is None, f"the run ended before kill {kill + 1} (seed {SEED})"
        proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(proc.wait)
    assert len(await abench.acks()) < len(manifests), f"all done before the last kill ({SEED})"

    proc = abench.spawn("a", instance_id="crash-a")  # the rest at full speed
    await abench.wait_acks(len(manifests))
    await abench.wait_consumed(kafka_admin)
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(proc.wait, 30) == 0
    acks = await abench.acks()
    by_group = {m["group_key"]: m for m in manifests}
    assert Counter(k for k, _ in acks) == Counter(g.encode() for g in by_group), SEED
    results_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        results_of[r["group_key"]].append(r)
    controls = set()
    for key, ack in acks:
        assert key is not None
        parsed = parse_999(ack["x12"])
        assert parsed.clean
        controls.add(parsed.one("ISA").element(13))
        mine = results_of[key.decode()]
        ak9 = parsed.one("AK9")
        assert int(ak9.element(3)) == len(mine) == by_group[key.decode()]["set_count"]
        assert int(ak9.element(4)) == sum(1 for r in mine if r["ik501"] in ACCEPTED)
    assert len(controls) == len(acks)

    # Replay: every manifest and a result of each group again; no 999 is added or changed.
    for m in manifests:
        value, headers = encode(MessageType.GROUP_MANIFEST, m)
        await abench.publish(topics.group_manifests, value, headers, m["group_key"].encode())
        r = results_of[m["group_key"]][0]
        value, headers = encode(MessageType.SET_RESULT, r)
        await abench.publish(topics.set_results, value, headers, r["group_key"].encode())
    async with abench.running():
        await abench.wait_consumed(kafka_admin)
    replayed = await abench.acks()
    assert len(replayed) == len(acks)
    assert sorted((k or b"", a["x12"]) for k, a in replayed) == sorted(
        (k or b"", a["x12"]) for k, a in acks)  # fmt: skip
