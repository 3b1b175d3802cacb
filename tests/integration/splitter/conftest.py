"""Fixtures for the splitter's integration tests: a bench of fresh mesh topics per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from edimesh.mesh.admin import ensure_topics
from edimesh.mesh.topics import mesh_topics
from tests.integration.splitter.harness import SplitterBench

BenchFactory = Callable[..., Awaitable[SplitterBench]]


@pytest.fixture(autouse=True)
def _health_endpoint_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process services share this process: none binds the default health port 8080."""
    monkeypatch.setenv("EDIMESH_HEALTH_PORT", "off")


@pytest.fixture
async def make_bench(
    kafka_bootstrap: str, kafka_admin: Any, tmp_path: Path
) -> AsyncIterator[BenchFactory]:
    """Build benches (topics under a unique prefix, a staging folder); cleaned up after."""
    benches: list[SplitterBench] = []

    async def make(*, partitions: int = 1, staged_partitions: int | None = None) -> SplitterBench:
        tag = uuid.uuid4().hex[:10]
        prefix = f"t{tag}."
        overrides = {"edi.files.staged": staged_partitions} if staged_partitions else None
        topics = mesh_topics(prefix, partitions=partitions, overrides=overrides)
        await ensure_topics(kafka_bootstrap, topics.all())
        staging = tmp_path / f"staging-{tag}"
        staging.mkdir()
        logs = tmp_path / f"logs-{tag}"
        logs.mkdir()
        bench = SplitterBench(kafka_bootstrap, topics, staging, f"splitter-{tag}", prefix, logs)
        benches.append(bench)
        return bench

    yield make
    for bench in benches:
        await bench.close()
        await kafka_admin.delete_topics([spec.name for spec in bench.topics.all()])


@pytest.fixture
async def bench(make_bench: BenchFactory) -> SplitterBench:
    return await make_bench()
