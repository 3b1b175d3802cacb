"""Each benchmark's section: ratios come from the measurements, targets from the issues."""

from __future__ import annotations

import pytest

from edimesh.bench.e2e import E2ERun
from edimesh.bench.report import Figure, Section
from edimesh.bench.sections import (
    e2e_section,
    split_section,
    splitter_section,
    validate_section,
    validator_section,
)
from edimesh.bench.services import Peak
from edimesh.bench.split import Measurement
from edimesh.bench.splitter_service import Run, SplitterComparison
from edimesh.bench.validate import BASELINES, ValidateMeasurement
from edimesh.bench.validator_service import ServiceRun, ValidatorComparison, fastest, schedule

MB = 10**6


def figure(section: Section, name: str, unit: str | None = None) -> Figure:
    found = [f for f in section.figures if f.name == name and unit in (None, f.unit)]
    assert len(found) == 1, f"{name!r} in {[f.name for f in section.figures]}"
    return found[0]


def test_split_ratios_and_targets() -> None:
    core = Measurement("core", 1000 * MB, 2.0, 10_000, 60 * MB)
    split = Measurement("split", 1000 * MB, 1.5, 900_000, 20 * MB)
    naive = Measurement("naive", 1000 * MB, 20.0, 900_000, 20 * MB)
    small = Measurement("core", 10 * MB, 0.02, 100, 58 * MB)
    section = split_section({"core": core, "split": split, "naive": naive}, small)
    assert figure(section, "X12 core").value == pytest.approx(core.mb_per_s)
    assert figure(section, "core / chunked split").value == pytest.approx(
        core.mb_per_s / split.mb_per_s
    )
    assert figure(section, "core / naive loop").value == pytest.approx(
        core.mb_per_s / naive.mb_per_s
    )
    assert figure(section, "core peak RSS").met is True  # 60 MB <= 64 MB
    flat = next(f for f in section.figures if f.name.startswith("core peak RSS, "))
    assert flat.value == pytest.approx(60 / 58)
    assert flat.met is True
    assert figure(section, "X12 core").met is True  # 500 MB/s >= 400


def test_validate_baselines() -> None:
    m = ValidateMeasurement(20_000, 200, 10 * MB, (0.5, 0.4, 0.8), False, 0)
    section = validate_section(m)
    best = figure(section, "parse + models + SNIP 1-5, one core (best)")
    assert best.value == pytest.approx(20_000 / 0.4)
    assert best.met is True  # exactly the 50,000 target
    for name, rate in BASELINES.items():
        assert figure(section, f"x {name} (about {rate:,} claims/s)").value == pytest.approx(
            m.best / rate
        )


def test_splitter_ratio_rss_and_flatness() -> None:
    large = SplitterComparison(
        Run(1000 * MB, 100_000, 10.0, 100 * MB), Run(1000 * MB, 100_000, 4.0)
    )
    small = SplitterComparison(Run(10 * MB, 1000, 0.2, 95 * MB), Run(10 * MB, 1000, 0.1))
    section = splitter_section(small, large)
    assert figure(section, "splitter / ceiling").value == pytest.approx(0.4)
    assert figure(section, "splitter / ceiling").met is False
    assert figure(section, "splitter peak RSS").met is True
    flat = next(f for f in section.figures if f.name.startswith("peak RSS, "))
    assert flat.value == pytest.approx(100 / 95)


def _run(workers: int, seconds: float) -> ServiceRun:
    return ServiceRun(workers, 10_000, 100, seconds, Peak(90 * MB, (70 * MB,) * workers), 1.0, 2.0)


def test_validator_overhead_and_scaling() -> None:
    pure = ValidateMeasurement(10_000, 100, 4 * MB, (0.5, 0.6), False, 0)
    cmp = ValidatorComparison(pure, None, (_run(1, 0.8), _run(2, 0.42)))
    section = validator_section(cmp)
    overhead = figure(section, "service (1 worker) / pure")
    assert overhead.value == pytest.approx((10_000 / 0.8) / pure.best)
    assert overhead.met is False  # 0.625 < 0.7
    scaling = figure(section, "service, 2 workers / 1 worker")
    assert scaling.value == pytest.approx(0.8 / 0.42)
    assert scaling.met is True
    assert figure(section, "validator (2 worker) worker 2 peak RSS").value == pytest.approx(70.0)
    assert not any(f.name.startswith("pure validation + JSON") for f in section.figures)


def test_validator_with_one_worker_count_has_no_scaling_figure() -> None:
    pure = ValidateMeasurement(10_000, 100, 4 * MB, (0.5,), False, 0)
    section = validator_section(ValidatorComparison(pure, pure, (_run(1, 0.5),)))
    assert all("2 workers" not in f.name for f in section.figures)
    assert figure(section, "service (1 worker) / pure").met is True


def test_e2e_claims_rate_and_per_process_peaks() -> None:
    peaks = {"transfer": Peak(100 * MB), "validator": Peak(90 * MB, (70 * MB, 71 * MB))}
    run = E2ERun(1000 * MB, 2_400_000, 24_000, 150.0, 10.0, 60.0, "embedded asyncssh", peaks)
    section = e2e_section(run, pure_claims_per_s=20_000)
    rate = figure(section, "end to end", "claims/s")
    assert rate.value == pytest.approx(16_000)
    assert rate.met is True  # 16,000 >= the 15,000 target
    assert figure(section, "end to end / pure validation (one core)").value == pytest.approx(0.8)
    assert figure(section, "end to end", "MB/s").value == pytest.approx(1000 / 150)
    assert figure(section, "validator worker 2 peak RSS").value == pytest.approx(71.0)
    assert figure(section, "transfer peak RSS").value == pytest.approx(100.0)
    assert "embedded asyncssh" in section.title


def test_e2e_without_pure_rate_has_no_ratio() -> None:
    run = E2ERun(MB, 1000, 10, 1.0, 0.1, 0.2, "OpenSSH sshd", {})
    assert figure(e2e_section(run, None), "end to end / pure validation (one core)").value is None


def test_claims_per_cpu_second() -> None:
    run = _run(1, 0.8)  # 1.0 s in the service process, 2.0 s in its worker
    assert run.claims_per_cpu_s == pytest.approx(10_000 / 3.0)
    idle = ServiceRun(1, 10, 1, 0.1, Peak(1), 0.0, 0.0)
    assert idle.claims_per_cpu_s is None  # no CPU measured: no rate rather than a division error


def test_e2e_lists_cpu_per_process() -> None:
    run = E2ERun(MB, 1000, 10, 1.0, 0.1, 0.2, "OpenSSH sshd", {}, {"splitter": 0.25})
    assert figure(e2e_section(run, None), "splitter CPU (with its workers)").value == 0.25


def test_validator_per_cpu_second_against_pure_cpu() -> None:
    pure = ValidateMeasurement(10_000, 100, 4 * MB, (0.9, 0.8), False, 0, (0.6, 0.5))
    assert pure.best_per_cpu_s == pytest.approx(20_000)
    section = validator_section(ValidatorComparison(pure, None, (_run(1, 0.8),)))
    per_cpu = figure(section, "service (1 worker) / pure, per CPU second")
    assert per_cpu.value == pytest.approx((10_000 / 3.0) / 20_000)


def test_pure_without_cpu_times_has_no_cpu_rate() -> None:
    pure = ValidateMeasurement(10_000, 100, 4 * MB, (0.5,), False, 0)
    assert pure.best_per_cpu_s is None
    section = validator_section(ValidatorComparison(pure, None, (_run(1, 0.8),)))
    assert figure(section, "service (1 worker) / pure, per CPU second").value is None


def test_schedule_alternates_worker_counts() -> None:
    assert schedule((1, 2), 1) == [1, 2]
    assert schedule((1, 2), 3) == [1, 2, 2, 1, 1, 2]


def test_fastest_run_per_worker_count() -> None:
    runs = [_run(1, 0.9), _run(2, 0.5), _run(2, 0.4), _run(1, 1.1)]
    assert [(r.workers, r.seconds) for r in fastest(runs)] == [(1, 0.9), (2, 0.4)]
