"""The validator-service benchmark, on a tiny input against the real broker: it runs the
service as a process, waits for its commits and reports figures of the right shape (never
judged on speed)."""

from __future__ import annotations

from pathlib import Path

from edimesh.bench.report import Op
from edimesh.bench.sections import validator_section
from edimesh.bench.validator_service import compare

CLAIMS, PER_SET = 300, 10


async def test_quick_validator_benchmark(kafka_bootstrap: str, tmp_path: Path) -> None:
    cmp = await compare(kafka_bootstrap, CLAIMS, PER_SET, tmp_path, workers=(1,), pure_runs=1)

    assert (cmp.pure.claims, cmp.pure.sets) == (CLAIMS, CLAIMS // PER_SET)
    (run,) = cmp.runs
    assert (run.workers, run.claims, run.sets) == (1, CLAIMS, CLAIMS // PER_SET)
    assert run.seconds > 0
    assert run.peak.main > 0
    assert len(run.peak.workers) == 1  # the one validation process, not the resource tracker
    assert run.workers_cpu_s > 0  # validation happened in the worker process

    section = validator_section(cmp)
    overhead = next(f for f in section.figures if f.name == "service (1 worker) / pure")
    assert overhead.target is not None
    assert overhead.target.op is Op.AT_LEAST
    assert overhead.value is not None
    assert overhead.value > 0
