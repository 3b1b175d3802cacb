"""`edimesh bench all`: stage selection and the report it writes (a pure stage only: no Kafka)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from edimesh.bench.suite import Sizes
from edimesh.cli import app

runner = CliRunner()


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    """--quick with inputs small enough for a unit test."""
    sizes = Sizes(10**5, 10**5, 200, 10**5, 10**5, 200, 10**5, 1)
    monkeypatch.setattr(Sizes, "quick", classmethod(lambda cls: sizes))


@pytest.mark.usefixtures("tiny")
def test_validate_stage_writes_the_report(tmp_path: Path) -> None:
    results = tmp_path / "out" / "results.md"
    args = ["bench", "all", "--quick", "--stage", "validate", "--results", str(results),
            "--note", "noisy: shared machine"]  # fmt: skip
    outcome = runner.invoke(app, args)
    assert outcome.exit_code == 0, outcome.output
    assert "targets met: " in outcome.output
    text = results.read_text(encoding="utf-8")
    assert "## Machine" in text
    assert "edimesh bench all --quick --stage validate" in text
    assert "> noisy: shared machine" in text
    assert "## Validate: 200 claims" in text
    assert "| parse + models + SNIP 1-5, one core (best) |" in text
    assert "## Split" not in text  # only the stage asked for


def test_unknown_stage_is_refused(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    outcome = runner.invoke(app, ["bench", "all", "--stage", "nope", "--results", str(results)])
    assert outcome.exit_code != 0
    assert "unknown stage" in outcome.output
    assert not results.exists()
