"""Each benchmark's measurements as a report Section, with the targets its issue names (pure)."""

from __future__ import annotations

from collections.abc import Mapping

from edimesh.bench.e2e import CLAIMS_TARGET, E2ERun
from edimesh.bench.report import Figure, Op, Section, Target, ratio
from edimesh.bench.services import Peak
from edimesh.bench.split import Measurement
from edimesh.bench.splitter_service import RATIO_TARGET, RSS_TARGET_BYTES, SplitterComparison
from edimesh.bench.validate import BASELINES, TARGET, ValidateMeasurement
from edimesh.bench.validator_service import (
    OVERHEAD_TARGET,
    SCALING_FLOOR,
    SCALING_TARGET,
    ValidatorComparison,
)

MB = 1e6
FLAT = 1.10  # "flat" / "within 10%": the large file's peak RSS over the small file's


def _mb(n: int | None) -> float | None:
    return None if n is None else n / MB


def split_section(results: Mapping[str, Measurement], small: Measurement) -> Section:
    """X12 core issue: >= 400 MB/s, >= 0.65 x chunked split, >= 7 x naive, RSS <= 64 MB, flat."""
    core, base, naive = results["core"], results["split"], results["naive"]
    return Section(
        f"Split: X12 core on a {core.bytes / MB:,.0f} MB synthetic 837P",
        (
            Figure("X12 core", core.mb_per_s, "MB/s", Target(Op.AT_LEAST, 400)),
            Figure("chunked bytes.split (baseline)", base.mb_per_s, "MB/s"),
            Figure("naive split(delim, 1) loop (baseline)", naive.mb_per_s, "MB/s"),
            Figure(
                "core / chunked split",
                ratio(core.mb_per_s, base.mb_per_s),
                "x",
                Target(Op.AT_LEAST, 0.65),
            ),
            Figure(
                "core / naive loop",
                ratio(core.mb_per_s, naive.mb_per_s),
                "x",
                Target(Op.AT_LEAST, 7),
            ),
            Figure("core peak RSS", _mb(core.peak_rss_bytes), "MB", Target(Op.AT_MOST, 64)),
            Figure(
                f"core peak RSS, {core.bytes / MB:,.0f} MB / {small.bytes / MB:,.0f} MB file",
                ratio(core.peak_rss_bytes, small.peak_rss_bytes),
                "x",
                Target(Op.AT_MOST, FLAT, "within 10% (<= 1.10)"),
            ),
        ),
        (
            "The issue measured the chunked split at about 600 MB/s and the naive loop at about "
            "57 MB/s on this machine.",
        ),
    )


def validate_section(m: ValidateMeasurement) -> Section:
    """Models issue: >= 50,000 claims/s on one core; the libraries' rates for scale."""
    figures = [Figure("parse + models + SNIP 1-5, one core (best)", m.best, "claims/s",
                      Target(Op.AT_LEAST, TARGET)),
               Figure("same, median", m.median, "claims/s")]  # fmt: skip
    figures += [Figure(f"x {name} (about {rate:,} claims/s)", ratio(m.best, rate), "x")
                for name, rate in BASELINES.items()]  # fmt: skip
    return Section(
        f"Validate: {m.claims:,} claims in {m.sets} sets ({m.file_bytes / MB:.1f} MB)",
        tuple(figures),
        ("Baseline rates are the figures the models issue gives for the same work.",
         f"Validation modules: {m.build}."),
    )


def _peak_figures(label: str, peak: Peak) -> list[Figure]:
    figures = [Figure(f"{label} peak RSS", _mb(peak.main), "MB")]
    figures += [Figure(f"{label} worker {i} peak RSS", _mb(w), "MB")
                for i, w in enumerate(peak.workers, 1)]  # fmt: skip
    return figures


def splitter_section(small: SplitterComparison, large: SplitterComparison) -> Section:
    """Splitter issue: >= 0.5 x the ceiling; peak RSS <= 128 MB, flat from small to large."""
    s, c = large.splitter, large.ceiling
    return Section(
        f"Splitter service vs a plain aiokafka producer (ceiling), {s.bytes / MB:,.0f} MB 837P",
        (
            Figure("splitter service", s.mb_s, "MB/s"),
            Figure("splitter service", s.sets_s, "sets/s"),
            Figure("ceiling (plain producer)", c.mb_s, "MB/s"),
            Figure("splitter / ceiling", large.ratio, "x", Target(Op.AT_LEAST, RATIO_TARGET)),
            Figure(
                "splitter peak RSS",
                _mb(s.peak_rss_bytes),
                "MB",
                Target(Op.AT_MOST, RSS_TARGET_BYTES / MB),
            ),
            Figure(
                f"splitter / ceiling on the {small.splitter.bytes / MB:,.0f} MB file",
                small.ratio,
                "x",
            ),
            Figure(
                f"peak RSS, {s.bytes / MB:,.0f} MB / {small.splitter.bytes / MB:,.0f} MB file",
                ratio(s.peak_rss_bytes, small.splitter.peak_rss_bytes),
                "x",
                Target(Op.AT_MOST, FLAT, "flat (<= 1.10)"),
            ),
        ),
        (
            "Time from publishing the FileStaged event to the group's committed offset passing "
            "it; the service runs as its own process with its default settings.",
        ),
    )


def validator_section(cmp: ValidatorComparison) -> Section:
    """Validator issue: >= 0.7 x pure on one worker process; about 1.8 x that with two."""
    pure = cmp.pure.best
    by_workers = {run.workers: run for run in cmp.runs}
    figures = [Figure("pure validation, one core (baseline)", pure, "claims/s")]
    if cmp.pure_json is not None:
        figures.append(Figure("pure validation + JSON, one core", cmp.pure_json.best, "claims/s"))
    one, two = by_workers.get(1), by_workers.get(2)
    figures += [Figure(f"service, {run.workers} worker process(es)", run.claims_per_s,
                       "claims/s") for run in cmp.runs]  # fmt: skip
    if one is not None:
        figures.append(Figure("service (1 worker) / pure", ratio(one.claims_per_s, pure), "x",
                              Target(Op.AT_LEAST, OVERHEAD_TARGET)))  # fmt: skip
    if one is not None and two is not None:
        figures.append(Figure("service, 2 workers / 1 worker",
                              ratio(two.claims_per_s, one.claims_per_s), "x",
                              Target(Op.AT_LEAST, SCALING_FLOOR,
                                     f"about {SCALING_TARGET} (>= {SCALING_FLOOR})")))  # fmt: skip
    if one is not None:
        pure_cpu = cmp.pure.best_per_cpu_s
        figures += [
            Figure("pure validation, claims per CPU second", pure_cpu, "claims/s"),
            Figure("service (1 worker), claims per CPU second", one.claims_per_cpu_s, "claims/s"),
            Figure("service (1 worker) / pure, per CPU second",
                   ratio(one.claims_per_cpu_s, pure_cpu), "x"),
        ]  # fmt: skip
    for run in cmp.runs:
        label = f"validator ({run.workers} worker)"
        figures += [Figure(f"{label} CPU, service process", run.main_cpu_s, "s"),
                    Figure(f"{label} CPU, worker processes", run.workers_cpu_s, "s")]  # fmt: skip
        figures += _peak_figures(label, run.peak)
    claims = cmp.runs[0].claims if cmp.runs else cmp.pure.claims
    sets = cmp.runs[0].sets if cmp.runs else cmp.pure.sets
    return Section(
        f"Validator service vs pure validation, {claims:,} claims in {sets} sets",
        tuple(figures),
        (
            "Sets from edi.transactions to committed outputs, after a warm-up batch; pure and "
            "service measured in the same run on the same synthetic sets. Pure: best of its "
            "passes; service: fastest of its runs, 1 and 2 worker processes alternating.",
            "Claims per CPU second counts the service process and its worker processes (not the "
            "broker); on a shared machine it moves less with other load than the wall-clock rate.",
        ),
    )


def e2e_section(run: E2ERun, pure_claims_per_s: float | None) -> Section:
    """Run-it issue: >= 15,000 claims/s from SFTP to validated, broker included."""
    figures = [
        Figure("end to end", run.mb_s, "MB/s"),
        Figure("end to end", run.claims_per_s, "claims/s", Target(Op.AT_LEAST, CLAIMS_TARGET)),
        Figure("end to end / target", ratio(run.claims_per_s, CLAIMS_TARGET), "x"),
        Figure("end to end / pure validation (one core)",
               ratio(run.claims_per_s, pure_claims_per_s), "x"),
        Figure("landing -> FileStaged committed", run.staged_s, "s"),
        Figure("landing -> every set on edi.transactions", run.split_s, "s"),
        Figure("landing -> last set validated", run.seconds, "s"),
    ]  # fmt: skip
    figures += [Figure(f"{name} CPU (with its workers)", cpu, "s")
                for name, cpu in run.cpu_s.items()]  # fmt: skip
    for name, peak in run.peaks.items():
        figures += _peak_figures(name, peak)
    return Section(
        f"End to end: SFTP ({run.source}) to validated, {run.file_bytes / MB:,.0f} MB 837P, "
        f"{run.claims:,} claims in {run.sets:,} sets",
        tuple(figures),
        (
            "Transfer, splitter and validator run as separate processes with the broker on the "
            "same machine; the clock runs from the file landing in the inbox to the validator "
            "group's committed offsets passing the last set.",
        ),
    )
