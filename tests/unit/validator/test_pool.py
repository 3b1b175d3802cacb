"""The validation pool's worker processes: verdicts as in-process, per-set failures, a process
that dies, and stop."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from edimesh.validator.handler import SetJob, check_set
from edimesh.validator.pool import PoolBrokenError, ValidationPool
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p
from tests.unit.validator.sets import record_of, units_of

BROKEN = SetJob(None, "*", ":", None, "~", "837", "", "", 0)  # type: ignore[arg-type]


def _jobs(tmp_path: Path, **options: object) -> list[SetJob]:
    path = tmp_path / "synth.x12"
    path.write_bytes(generate_837p(SynthOptions(**options)))  # type: ignore[arg-type]
    jobs = []
    for unit in units_of(path):
        record = record_of(unit)
        body = record["body"]
        assert isinstance(body, bytes)
        jobs.append(SetJob.of(record, body))
    return jobs


def test_verdicts_match_in_process_validation_and_failures_stay_per_set(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path, claims=12, claims_per_set=1, errors=frozenset({SynthError.INVALID_NPI}))
    expected = [check_set(job) for job in jobs]
    assert {v.route for v in expected} > {"validated"}  # some sets fail validation

    async def main() -> list[object]:
        pool = ValidationPool(processes=2, max_in_flight=64, batch_sets=4)
        await pool.start()
        try:
            return await asyncio.gather(
                *(pool.validate(job) for job in [*jobs[:5], BROKEN, *jobs[5:]]),
                return_exceptions=True,
            )
        finally:
            await pool.stop()

    got = asyncio.run(main())
    # the broken job's own failure, nobody else's (TypeError where the engine is compiled)
    assert isinstance(got.pop(5), (AttributeError, TypeError))
    assert got == expected


def test_a_dead_process_fails_its_sets_transiently_and_is_replaced(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path, claims=40, claims_per_set=20)

    async def main() -> None:
        pool = ValidationPool(processes=1, max_in_flight=64, batch_sets=1)
        await pool.start()
        try:
            assert (await pool.validate(jobs[0])).route == "validated"  # warmed up
            (pid,) = pool.process_ids()
            held = [asyncio.ensure_future(pool.validate(job)) for job in jobs * 20]
            await asyncio.sleep(0)
            os.kill(pid, signal.SIGKILL)
            outcomes = await asyncio.gather(*held, return_exceptions=True)
            assert any(isinstance(o, PoolBrokenError) for o in outcomes)
            assert all(isinstance(o, PoolBrokenError) or o.route == "validated"  # type: ignore[union-attr]
                       for o in outcomes)  # fmt: skip
            for _ in range(200):  # the replacement starts in the background
                if pool.process_ids():
                    break
                await asyncio.sleep(0.05)
            assert pool.process_ids() not in ([], [pid])
            assert (await pool.validate(jobs[1])).route == "validated"
        finally:
            await pool.stop()
        assert pool.process_ids() == []
        with pytest.raises(PoolBrokenError):
            await pool.validate(jobs[0])

    asyncio.run(main())
