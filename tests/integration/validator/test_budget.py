"""The validator's total memory budget for uncommitted sets (input and outputs): while it is
spent every owned partition is paused, and every set is still routed exactly once (no stall)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from aiokafka import TopicPartition

from edimesh.mesh.codec import decode
from edimesh.mesh.schemas import MessageType
from edimesh.validator.service import MiB, ValidatorService
from edimesh.x12.synth import SynthOptions, generate_837p
from tests.integration.splitter.conftest import BenchFactory
from tests.integration.validator.harness import ValidatorBench

# Four files of 20 sets of ~42 KB: more than the smallest budget (1 MiB) several times over.
FILES = [SynthOptions(claims=2000, claims_per_set=100, sets_per_group=20, seed=n,
                      first_isa13=1000 + n, first_gs06=1000 + n) for n in range(4)]  # fmt: skip


class _Watched(ValidatorService):
    """Checks after every dispatch: over budget, every owned partition is paused (not only
    those that delivered)."""

    peak = 0
    owned_over_budget = 0
    violations: list[int]

    def _dispatch(self, batches: dict[TopicPartition, list[Any]]) -> None:
        super()._dispatch(batches)
        queued = self.queued_bytes()
        type(self).peak = max(type(self).peak, queued)
        if queued >= self.settings.max_queued_mb * MiB:
            paused = self._consumer.paused()
            owned = set(self._workers) & self._consumer.assignment()
            type(self).owned_over_budget = max(type(self).owned_over_budget, len(owned))
            self.violations.extend(tp.partition for tp in owned if tp not in paused)


@pytest.fixture
async def vbench4(make_bench: BenchFactory) -> ValidatorBench:
    """Four partitions: the budget must pause those that did not deliver too."""
    return ValidatorBench(await make_bench(partitions=4))


async def test_queued_input_stays_within_the_budget(vbench4: ValidatorBench,
                                                    kafka_admin: Any) -> None:  # fmt: skip
    vbench = vbench4
    for n, options in enumerate(FILES):
        await vbench.splitter.stage(generate_837p(options), partner=f"partner{n}")
    async with vbench.splitter.running():
        await vbench.splitter.wait_consumed(kafka_admin)
        records = await vbench.splitter.read(vbench.splitter.topics.transactions)
    sets = [decode(r.value, r.headers, expected=MessageType.TRANSACTION_SET) for r in records]
    assert sum(len(s["body"]) for s in sets) > 2 * MiB
    _Watched.peak, _Watched.violations, _Watched.owned_over_budget = 0, [], 0
    # A batch bigger than the input: only the budget pauses partitions.
    settings = vbench.settings(max_queued_mb=1, batch_max_records=500, worker_processes=1,
                               pool_batch_sets=3, max_in_flight=4)  # fmt: skip
    async with _Watched(settings) as service:
        task = asyncio.create_task(service.run())
        try:
            outputs = await vbench.wait_outputs(len(sets))
        finally:
            service.request_stop()
            await task
    assert _Watched.peak >= MiB  # the budget was reached, so the pausing was exercised
    assert _Watched.owned_over_budget > 1  # so partitions that did not deliver were checked
    assert _Watched.violations == []
    keys = Counter(o.key for o in outputs)
    assert keys == Counter(s["idempotency_key"].encode() for s in sets)
    assert {o.topic for o in outputs} == {"validated"}
