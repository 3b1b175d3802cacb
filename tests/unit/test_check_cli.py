"""`edimesh check`: exit codes, JSON, progress-free output, and no PHI in what it prints."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from edimesh.cli import app
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p, iter_phi

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
CLEAN = CORPUS / "LinuxForHealth-x12" / "demo-file" / "demo.837"
BROKEN = CORPUS / "pyx12" / "history-test-files" / "trailer_errors.txt"
runner = CliRunner()


def test_clean_file_exits_0() -> None:
    result = runner.invoke(app, ["check", str(CLEAN)])
    assert result.exit_code == 0, result.output
    assert "clean" in result.output
    assert "837x1" in result.output


def test_problems_exit_1_with_code_and_location() -> None:
    result = runner.invoke(app, ["check", str(CLEAN), str(BROKEN)])
    assert result.exit_code == 1
    assert "IK502 4 se01_count" in result.output
    assert "segment 61" in result.output


def test_unreadable_file_exits_2_without_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "missing.x12"
    result = runner.invoke(app, ["check", str(CLEAN), str(missing), str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert sum(line.startswith("unreadable ") for line in result.output.splitlines()) == 2


def test_usage_error_exits_2() -> None:
    assert runner.invoke(app, ["check"]).exit_code == 2


def test_json_report() -> None:
    result = runner.invoke(app, ["check", "--json", str(BROKEN)])
    assert result.exit_code == 1
    doc = orjson.loads(result.stdout)
    (report,) = doc["files"]
    assert doc["exit_status"] == 1
    assert report["totals"]["sets"] == 2
    kinds = {p["kind"]: p for p in report["problems"]}
    assert kinds["se01_count"]["code"] == "4"
    assert kinds["se01_count"]["location"]["transaction_set"] == 1
    assert kinds["iea02_mismatch"]["code"] == "001"
    assert report["interchanges"][0]["ta1_code"] == "021"


def test_every_corpus_file_checks_without_a_crash() -> None:
    files = sorted(str(p) for p in CORPUS.rglob("*.*") if p.name != "INDEX.md")
    result = runner.invoke(app, ["check", "--json", *files])
    assert result.exit_code in (0, 1), result.output[-2000:]
    assert len(orjson.loads(result.stdout)["files"]) == len(files)


def test_output_carries_no_phi(tmp_path: Path) -> None:
    options = SynthOptions(
        claims=20, claims_per_set=4, canary="ZQX",
        errors=frozenset({SynthError.SE01_COUNT, SynthError.GE01_COUNT}),
    )
    path = tmp_path / "canary.x12"
    path.write_bytes(generate_837p(options))
    # Envelope ids (ISA13, GS06, ST02) are what check reports; everything else must not show.
    phi = {p.value for p in iter_phi(options) if p.field not in {"ISA13", "GS06", "ST02"}}
    assert phi
    for args in (["check", str(path)], ["check", "--json", str(path)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        leaked = [v for v in phi if v in result.output]
        assert leaked == []
