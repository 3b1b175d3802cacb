"""`edimesh bench all`: every benchmark in one run, one broker, one report.

Stages: split (X12 core), validate (pure validation), the splitter service against the ceiling,
the validator service against pure validation, and end to end from SFTP to validated. A stage
that cannot run (no SFTP source, a service that exits) is reported as skipped with the reason;
the others still run.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiokafka.errors import KafkaError

from edimesh.bench import sections
from edimesh.bench.e2e import NO_SFTP, choose_sftp, run_e2e
from edimesh.bench.files import synth_file
from edimesh.bench.report import Section
from edimesh.bench.services import BrokerHandle, broker
from edimesh.bench.split import measure as measure_split
from edimesh.bench.splitter_service import compare as compare_splitter
from edimesh.bench.validate import measure as measure_validate
from edimesh.bench.validator_service import compare as compare_validator
from edimesh.errors import EdiMeshError
from edimesh.x12.synth import options_for_size

STAGES = ("split", "validate", "splitter", "validator", "e2e")


@dataclass(frozen=True)
class Sizes:
    split_bytes: int
    split_small_bytes: int
    validate_claims: int
    splitter_bytes: int
    splitter_small_bytes: int
    validator_claims: int
    e2e_bytes: int
    validate_runs: int

    @classmethod
    def full(cls, e2e_bytes: int = 10**9) -> Sizes:
        return cls(10**9, 10 * 10**6, 20_000, 10**9, 10 * 10**6, 50_000, e2e_bytes, 5)

    @classmethod
    def quick(cls) -> Sizes:
        return cls(50 * 10**6, 2 * 10**6, 10_000, 50 * 10**6, 5 * 10**6, 20_000, 50 * 10**6, 3)


@dataclass(frozen=True)
class SuiteOptions:
    sizes: Sizes
    stages: tuple[str, ...] = STAGES
    bootstrap: str | None = None
    cache: Path | None = None  # where synthetic files are kept (default: the user cache)
    workdir: Path | None = None  # service logs, staging, broker data (default: a temp dir)
    validator_workers: int = 2  # in the end-to-end mesh
    sftp: str = "embedded"  # or "sshd": the SFTP source tried first end to end
    splitter_claims_per_set: int = 10  # as benchmarks/splitter_vs_ceiling.py
    claims_per_set: int = 100  # split, validate, validator and end to end


Progress = Callable[[str], None]
_STAGE_ERRORS = (EdiMeshError, KafkaError, OSError, TimeoutError, RuntimeError)


def _split(opts: SuiteOptions, say: Progress) -> Section:
    s = opts.sizes
    large = synth_file(s.split_bytes, claims_per_set=opts.claims_per_set, directory=opts.cache)
    small = synth_file(s.split_small_bytes, claims_per_set=opts.claims_per_set,
                       directory=opts.cache)  # fmt: skip
    results = {}
    for mode in ("core", "split", "naive"):
        say(f"split: {mode} on {s.split_bytes / 1e6:,.0f} MB")
        results[mode] = measure_split(mode, large)
    return sections.split_section(results, measure_split("core", small))


async def _services(opts: SuiteOptions, kafka: BrokerHandle, workdir: Path, pure: float | None,
                    say: Progress) -> list[Section]:  # fmt: skip
    s, out = opts.sizes, []
    if "splitter" in opts.stages:
        say("splitter service vs ceiling")
        try:
            cps = opts.splitter_claims_per_set
            files = [synth_file(n, claims_per_set=cps, directory=opts.cache)
                     for n in (s.splitter_small_bytes, s.splitter_bytes)]  # fmt: skip
            small = await compare_splitter(kafka.bootstrap, files[0], workdir)
            large = await compare_splitter(kafka.bootstrap, files[1], workdir)
            out.append(sections.splitter_section(small, large))
        except _STAGE_ERRORS as exc:
            out.append(Section("Splitter service vs ceiling", skipped=f"failed: {exc}"))
    if "validator" in opts.stages:
        say("validator service vs pure validation (1 and 2 worker processes, 2 rounds)")
        try:
            cmp = await compare_validator(kafka.bootstrap, s.validator_claims,
                                          opts.claims_per_set, workdir, rounds=2)  # fmt: skip
            pure = cmp.pure.best
            out.append(sections.validator_section(cmp))
        except _STAGE_ERRORS as exc:
            out.append(Section("Validator service vs pure validation", skipped=f"failed: {exc}"))
    if "e2e" in opts.stages:
        out.append(await _e2e(opts, kafka, workdir, pure, say))
    return out


async def _e2e(opts: SuiteOptions, kafka: BrokerHandle, workdir: Path, pure: float | None,
               say: Progress) -> Section:  # fmt: skip
    title = "End to end: SFTP to validated"
    sftp = choose_sftp(opts.sftp)
    if sftp is None:
        return Section(title, skipped=NO_SFTP)
    size = opts.sizes.e2e_bytes
    say(f"end to end on {size / 1e6:,.0f} MB")
    try:
        path = synth_file(size, claims_per_set=opts.claims_per_set, directory=opts.cache)
        warm = synth_file(200_000, claims_per_set=opts.claims_per_set, directory=opts.cache)
        shape = options_for_size(size, claims_per_set=opts.claims_per_set)
        run = await run_e2e(
            kafka,
            path,
            warm,
            claims=shape.claims,
            sets=shape.sets,
            workdir=workdir,
            validator_workers=opts.validator_workers,
            sftp=sftp,
        )
    except _STAGE_ERRORS as exc:
        return Section(title, skipped=f"failed: {exc}")
    return sections.e2e_section(run, pure)


def run_suite(opts: SuiteOptions, say: Progress) -> list[Section]:
    """Every selected stage, in order; the Kafka stages share one broker."""
    out: list[Section] = []
    pure: float | None = None
    if "split" in opts.stages:
        try:
            out.append(_split(opts, say))
        except _STAGE_ERRORS as exc:
            out.append(Section("Split", skipped=f"failed: {exc}"))
    if "validate" in opts.stages:
        say(f"validate: {opts.sizes.validate_claims:,} claims")
        m = measure_validate(opts.sizes.validate_claims, opts.claims_per_set,
                             opts.sizes.validate_runs)  # fmt: skip
        pure = m.best
        out.append(sections.validate_section(m))
    if not {"splitter", "validator", "e2e"} & set(opts.stages):
        return out
    with contextlib.ExitStack() as stack:
        if opts.workdir is None:
            workdir = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="edimesh-bench-"))
            )
        else:  # kept afterwards: the services' logs are there
            opts.workdir.mkdir(parents=True, exist_ok=True)
            workdir = Path(tempfile.mkdtemp(prefix="edimesh-bench-", dir=opts.workdir))
        say("starting the Kafka broker" if not opts.bootstrap else "using " + opts.bootstrap)
        kafka = stack.enter_context(broker(opts.bootstrap, workdir))
        out += asyncio.run(_services(opts, kafka, workdir, pure, say))
    return out
