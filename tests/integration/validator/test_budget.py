"""The validator's total memory budget for queued input: every partition that delivers while
the budget is spent gets paused, and every set is still routed exactly once (no stall)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from aiokafka import TopicPartition

from edimesh.mesh.codec import decode
from edimesh.mesh.schemas import MessageType
from edimesh.validator.service import MiB, ValidatorService
from edimesh.x12.synth import SynthOptions, generate_837p
from tests.integration.validator.harness import ValidatorBench

# Four files of 20 sets of ~42 KB: more than the smallest budget (1 MiB) several times over.
FILES = [SynthOptions(claims=2000, claims_per_set=100, sets_per_group=20, seed=n,
                      first_isa13=1000 + n, first_gs06=1000 + n) for n in range(4)]  # fmt: skip


class _Watched(ValidatorService):
    """Checks after every dispatch: over budget, each partition that delivered is paused."""

    peak = 0
    violations: list[int]

    def _dispatch(self, batches: dict[TopicPartition, list[Any]]) -> None:
        super()._dispatch(batches)
        queued = self.queued_bytes()
        type(self).peak = max(type(self).peak, queued)
        if queued >= self.settings.max_queued_mb * MiB:
            paused = self._consumer.paused()
            self.violations.extend(tp.partition for tp in batches
                                   if tp in self._workers and tp not in paused)  # fmt: skip


async def test_queued_input_stays_within_the_budget(vbench: ValidatorBench,
                                                    kafka_admin: Any) -> None:  # fmt: skip
    for n, options in enumerate(FILES):
        await vbench.splitter.stage(generate_837p(options), partner=f"partner{n}")
    async with vbench.splitter.running():
        await vbench.splitter.wait_consumed(kafka_admin)
        records = await vbench.splitter.read(vbench.splitter.topics.transactions)
    sets = [decode(r.value, r.headers, expected=MessageType.TRANSACTION_SET) for r in records]
    assert sum(len(s["body"]) for s in sets) > 2 * MiB
    _Watched.peak, _Watched.violations = 0, []
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
    assert _Watched.violations == []
    keys = Counter(o.key for o in outputs)
    assert keys == Counter(s["idempotency_key"].encode() for s in sets)
    assert {o.topic for o in outputs} == {"validated"}
