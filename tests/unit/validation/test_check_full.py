"""`edimesh check --level full` and `edimesh bench validate`."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from edimesh.cli import app
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p, iter_phi

CORPUS = Path(__file__).parents[2] / "data" / "corpus"
runner = CliRunner()


def test_full_level_clean_file_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "clean.x12"
    path.write_bytes(generate_837p(SynthOptions(claims=20, claims_per_set=10)))
    result = runner.invoke(app, ["check", "--level", "full", str(path)])
    assert result.exit_code == 0, result.output
    assert "validation: validated 2" in result.output


def test_full_level_reports_snip_findings_in_json(tmp_path: Path) -> None:
    path = tmp_path / "unbalanced.x12"
    path.write_bytes(generate_837p(SynthOptions(
        claims=3, claims_per_set=3, errors=frozenset({SynthError.UNBALANCED_CLAIM}))))
    result = runner.invoke(app, ["check", "--level", "full", "--json", str(path)])
    assert result.exit_code == 1
    (report,) = orjson.loads(result.stdout)["files"]
    (problem,) = report["problems"]
    assert problem["kind"] == "snip3.claim_charge"
    assert problem["snip"] == 3
    assert problem["location"]["element_ref"] == "CLM02"
    assert problem["location"]["loop_id"] == "2300"
    assert report["validation"]["routes"] == {"business": 1}


def test_envelope_level_is_the_default(tmp_path: Path) -> None:
    path = tmp_path / "unbalanced.x12"
    path.write_bytes(generate_837p(SynthOptions(
        claims=3, claims_per_set=3, errors=frozenset({SynthError.UNBALANCED_CLAIM}))))
    assert runner.invoke(app, ["check", str(path)]).exit_code == 0


def test_bad_level_is_a_usage_error() -> None:
    result = runner.invoke(app, ["check", "--level", "deep", str(CORPUS / "INDEX.md")])
    assert result.exit_code == 2


def test_full_level_over_the_corpus_never_crashes() -> None:
    files = sorted(str(p) for p in CORPUS.rglob("*.*") if p.name != "INDEX.md")
    result = runner.invoke(app, ["check", "--level", "full", "--json", *files])
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_full_level_output_carries_no_phi(tmp_path: Path) -> None:
    opts = SynthOptions(claims=20, claims_per_set=5, canary="PHICANARY",
                        errors=frozenset({SynthError.UNBALANCED_CLAIM,
                                          SynthError.INVALID_NPI}))
    path = tmp_path / "canary.x12"
    path.write_bytes(generate_837p(opts))
    for flag in ([], ["--json"]):
        result = runner.invoke(app, ["check", "--level", "full", *flag, str(path)])
        assert result.exit_code == 1
        for phi in iter_phi(opts):
            if phi.field in ("ISA13", "GS06", "ST02"):
                continue  # envelope ids are what the report is about (masked downstream)
            assert phi.value not in result.output, phi.field


def test_bench_validate_prints_the_figure() -> None:
    result = runner.invoke(app, ["bench", "validate", "--claims", "300", "--runs", "1",
                                 "--json"])
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert doc["claims"] == 300
    assert doc["claims_per_s_best"] > 0
    assert doc["baselines_claims_per_s"]["pyx12 validator"] == 600
