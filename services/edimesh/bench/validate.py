"""`edimesh bench validate`: claims/s for parse + models + all rules, on one core.

The input is a synthetic 005010X222A1 837P from the X12 core's generator, split into sets by
the X12 stream before timing starts (splitting is the splitter's work, measured by `bench
split`). Setup (guides, code sets, the file, its sets) is done first and then frozen out of
the garbage collector's sight with `gc.freeze()`, as a service does after start-up; the
collector itself stays on.

The timed loop runs in a fresh single-threaded process, as in a validator pool worker: there
the collector is paused for each set (``validation.entry``), which any thread of the caller
(a progress display, an event loop's executor) would prevent.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from edimesh import native
from edimesh.validation import validate_unit, warm_up
from edimesh.x12.events import TransactionSetUnit
from edimesh.x12.stream import X12Stream
from edimesh.x12.synth import SynthOptions, generate_837p

# Figures the issue gives for the same work on this machine (10 MB 837P, 20,150 claims).
BASELINES = {
    "LinuxForHealth x12": 1_300,
    "x12sdk": 1_400,
    "pyx12 validator": 600,
}
TARGET = 50_000


@dataclass(frozen=True)
class ValidateMeasurement:
    claims: int
    sets: int
    file_bytes: int
    runs: tuple[float, ...]  # seconds per run
    with_json: bool
    findings: int
    cpu_runs: tuple[float, ...] = ()  # CPU seconds of the measuring thread per run
    build: str = ""  # compiled with mypyc, or pure Python (edimesh.native)

    @property
    def best(self) -> float:
        return self.claims / min(self.runs)

    @property
    def best_per_cpu_s(self) -> float | None:
        """Claims per CPU second: what other load on a shared machine changes least."""
        fastest = min(self.cpu_runs, default=0.0)
        return self.claims / fastest if fastest > 0 else None

    @property
    def median(self) -> float:
        return self.claims / statistics.median(self.runs)


def prepare(
    claims: int, claims_per_set: int, seed: int = 0
) -> tuple[list[TransactionSetUnit], int]:
    data = generate_837p(SynthOptions(claims=claims, claims_per_set=claims_per_set, seed=seed))
    stream = X12Stream()
    events = stream.feed(data) + stream.finish()
    return [e for e in events if isinstance(e, TransactionSetUnit)], len(data)


def measure(
    claims: int = 20_000, claims_per_set: int = 100, runs: int = 5, with_json: bool = False,
    pure: bool = False,
) -> ValidateMeasurement:
    """Generate, split and validate `runs` times, in a fresh single-threaded process.

    `pure` runs that process as pure Python even where the compiled build is current (the
    baseline the compiled modules are measured against).
    """
    spawn = multiprocessing.get_context("spawn")
    before = os.environ.get(native.PURE_ENV)
    if pure:  # read by the child when it imports edimesh: set it for the spawn only
        os.environ[native.PURE_ENV] = "1"
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            return pool.submit(measure_here, claims, claims_per_set, runs, with_json).result()
    finally:
        if before is None:
            os.environ.pop(native.PURE_ENV, None)
        else:
            os.environ[native.PURE_ENV] = before


def measure_here(claims: int, claims_per_set: int, runs: int,
                 with_json: bool) -> ValidateMeasurement:
    """`measure` in this process (its threads, if any, keep the collector running)."""
    warm_up()
    units, size = prepare(claims, claims_per_set)
    findings = 0
    for unit in units[:3]:  # compile the fast-path patterns and transitions
        findings += len(validate_unit(unit).findings)
    gc.collect()
    gc.freeze()
    timings, cpu = [], []
    try:
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), time.thread_time()
            for unit in units:
                result = validate_unit(unit)
                if with_json:
                    result.content_json()
            timings.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - cpu_started)
    finally:
        gc.unfreeze()
    return ValidateMeasurement(claims, len(units), size, tuple(timings), with_json, findings,
                               tuple(cpu), native.read_status().describe())  # fmt: skip
