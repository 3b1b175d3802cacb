"""`edimesh local` end to end as a subprocess: its own broker, the embedded SFTP server, the
services as child processes. The expected numbers come from the sample plan, run through the
offline checker and the validator's pure engine, not from constants."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from edimesh.checker.reader import scan_file
from edimesh.local.samples import DUPLICATE, plan_samples
from edimesh.local.services import acknowledger_available
from edimesh.validation import validate_unit
from edimesh.x12.events import GroupSummary, InterchangeSummary, TransactionSetUnit
from tests.integration.local.conftest import leftover_processes

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(600)]

CLAIMS = 400
EDIMESH = [sys.executable, "-c", "from edimesh.cli import main; main()"]


@dataclass
class Expected:
    files: int = 0
    interchanges: int = 0
    sets: int = 0
    groups: int = 0
    claims: int = 0
    ta1s: int = 0
    file_quarantines: int = 0
    routes: Counter[str] = field(default_factory=Counter)


def _expect(tmp: Path) -> Expected:
    """What the mesh must report for the planned samples."""
    expected = Expected()
    duplicates_seen = 0
    for sample in plan_samples(CLAIMS, errors=True):
        expected.files += 1
        path = tmp / sample.name
        path.write_bytes(sample.render())
        # Of the two files repeating one interchange, one is accepted, the other gets a
        # TA1 025 and nothing else; both have the same shape, so count the first.
        repeat = sample.kind == DUPLICATE and (duplicates_seen := duplicates_seen + 1) > 1
        headers = 0
        for event in scan_file(path):
            if isinstance(event, InterchangeSummary) and event.header is not None:
                headers += 1
                expected.interchanges += 1
                expected.ta1s += repeat or event.ta1_code != "000"
            if repeat:
                continue
            if isinstance(event, GroupSummary):
                expected.groups += 1
            if isinstance(event, TransactionSetUnit) and event.raw is not None:
                expected.sets += 1
                if any(p.is_error for p in event.problems):
                    expected.routes["envelope"] += 1
                else:
                    result = validate_unit(event)
                    expected.routes[result.route] += 1
                    if result.route == "validated":
                        expected.claims += result.summary.claim_count
        expected.file_quarantines += headers == 0
    return expected


def _run(args: list[str], run_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDIMESH_")}
    with log.open("wb") as out:
        return subprocess.Popen(
            [*EDIMESH, "local", "--run-dir", str(run_dir), "--timeout", "400", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_samples_with_errors_end_to_end(tmp_path: Path) -> None:
    expected = _expect(tmp_path)
    run_dir, log = tmp_path / "run", tmp_path / "local.log"
    proc = _run(["--claims", str(CLAIMS), "--errors"], run_dir, log)
    code = proc.wait(500)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert code == 0, output
    summary = json.loads((run_dir / "out" / "summary.json").read_text())
    assert summary["outcome"] == "done"
    assert summary["files_fed"] == summary["files_staged"] == expected.files
    assert summary["interchanges"] == expected.interchanges
    assert summary["sets"] == expected.sets
    assert summary["validated"] == expected.routes["validated"]
    assert summary["claims"] == expected.claims
    by_kind = summary["quarantine_by_kind"]
    for route in ("schema", "business", "envelope"):
        assert by_kind.get(f"TRANSACTION_SET/{route.upper()}", 0) == expected.routes[route]
    assert by_kind.get("INTERCHANGE/ENVELOPE", 0) == expected.ta1s
    assert by_kind.get("FILE/ENVELOPE", 0) == expected.file_quarantines
    assert summary["dlq"] == 0
    assert summary["acks_ta1"] == expected.ta1s
    assert summary["groups"] == expected.groups
    if acknowledger_available():
        assert summary["acks_999"] == expected.groups
    assert "edimesh local: done" in output
    # The output folder holds the records themselves.
    out = run_dir / "out"
    validated = (out / "validated.jsonl").read_text().splitlines()
    assert len(validated) == expected.routes["validated"]
    assert all("content" in json.loads(line) for line in validated)
    quarantined = (out / "quarantine.jsonl").read_text().splitlines()
    assert len(quarantined) == sum(by_kind.values())
    assert len(list((out / "ta1").glob("*.x12"))) == expected.ta1s
    if acknowledger_available():
        acks = list((out / "999").glob("*.x12"))
        assert len(acks) == expected.groups
        assert all(p.read_text().startswith("ISA") for p in acks)
    assert leftover_processes(run_dir) == []


def test_ctrl_c_mid_run_stops_everything(tmp_path: Path) -> None:
    run_dir, log = tmp_path / "run", tmp_path / "local.log"
    proc = _run(["--claims", "50000", "--grace", "20"], run_dir, log)
    try:
        deadline = time.monotonic() + 300
        while not (run_dir / "pids.json").exists():  # written once the services run
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(200)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = log.read_text(encoding="utf-8", errors="replace")
    assert code == 130, output
    assert "edimesh local: interrupted" in output
    recorded = json.loads((run_dir / "pids.json").read_text())
    assert {"broker", "transfer", "splitter", "validator"} <= set(recorded)
    assert leftover_processes(run_dir) == []
