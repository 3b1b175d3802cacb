"""Graceful stop: SIGTERM commits the current batch and exits promptly; a restart resumes."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from typing import Any

import pytest

from edimesh.splitter.service import SplitterService
from edimesh.x12.synth import SynthOptions, generate_837p, iter_keys
from tests.integration.splitter.harness import SplitterBench
from tests.integration.splitter.test_crash import committed_messages, until_new_commit

pytestmark = pytest.mark.slow


async def test_sigterm_commits_the_current_batch_and_a_restart_resumes(
    bench: SplitterBench, kafka_admin: Any
) -> None:
    options = SynthOptions(claims=3000, claims_per_set=1, sets_per_group=500)
    expected = list(iter_keys(options))
    await bench.stage(generate_837p(options))
    proc = bench.spawn("a", batch_max_outputs=10)
    await until_new_commit(bench, proc, 0)
    proc.send_signal(signal.SIGTERM)
    asked = time.monotonic()
    assert await asyncio.to_thread(proc.wait, 15) == 0
    assert time.monotonic() - asked < 10  # shutdown_timeout_s bounds it; a batch takes ms
    progress = await bench.decoded(bench.topics.splitter_progress)
    assert progress
    assert not progress[-1]["done"]
    committed = await committed_messages(bench)
    assert 0 < committed < len(expected)  # stopped mid-file, with its work committed

    async with bench.running():
        await bench.wait_consumed(kafka_admin)
    keys = Counter(r.key.decode() for r in await bench.read(bench.topics.transactions))
    assert sorted(keys) == sorted(expected)
    assert set(keys.values()) == {1}


async def test_closing_is_idempotent_and_run_needs_a_started_service(bench: SplitterBench) -> None:
    service = SplitterService(bench.settings())
    with pytest.raises(RuntimeError, match="async with"):
        await service.run()
    async with service:
        pass
    await service.aclose()
    await service.aclose()
