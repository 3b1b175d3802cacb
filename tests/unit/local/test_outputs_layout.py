"""The output folder's files, and the run dir's safety rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edimesh.errors import ConfigError
from edimesh.local.layout import RunLayout, parse_host_port
from edimesh.local.outputs import OutputWriter
from edimesh.local.tally import Kind
from edimesh.mesh.schemas import MessageType
from tests.unit.mesh_samples import SAMPLES


def test_writer_keeps_one_json_line_per_record_and_one_file_per_ack(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path / "out")
    writer.write(Kind.VALIDATED, SAMPLES[MessageType.VALIDATED_TRANSACTION])
    writer.write(Kind.QUARANTINE, SAMPLES[MessageType.QUARANTINED])
    writer.write(Kind.ACKS, SAMPLES[MessageType.ACKNOWLEDGMENT])
    writer.write(Kind.ACKS, {**SAMPLES[MessageType.ACKNOWLEDGMENT], "kind": "TA1"})
    writer.write(Kind.TRANSACTIONS, SAMPLES[MessageType.TRANSACTION_SET])  # not an output
    writer.close()
    out = tmp_path / "out"
    validated = json.loads((out / "validated.jsonl").read_text())
    assert validated["content"] == {"claims": [{"charge": "100.00"}]}
    assert len((out / "quarantine.jsonl").read_text().splitlines()) == 1
    assert len((out / "acks.jsonl").read_text().splitlines()) == 2
    assert (out / "999" / "000001.x12").read_text() == SAMPLES[MessageType.ACKNOWLEDGMENT]["x12"]
    assert (out / "ta1" / "000001.x12").exists()
    assert sorted(p.name for p in out.iterdir()) == [
        "999",
        "acks.jsonl",
        "quarantine.jsonl",
        "ta1",
        "validated.jsonl",
    ]
    assert out.stat().st_mode & 0o077 == 0


def test_a_foreign_folder_is_never_emptied(tmp_path: Path) -> None:
    (tmp_path / "kafka").mkdir()
    (tmp_path / "kafka" / "precious").write_text("x")
    with pytest.raises(ConfigError, match="not empty"):
        RunLayout(tmp_path).prepare(tmp_path / "out")
    assert (tmp_path / "kafka" / "precious").exists()


def test_a_previous_run_is_emptied(tmp_path: Path) -> None:
    layout = RunLayout(tmp_path / "run")
    layout.prepare(layout.root / "out")
    (layout.staging / "old").write_text("x")
    (layout.root / "out").mkdir()
    (layout.root / "out" / "validated.jsonl").write_text("x")
    layout.prepare(layout.root / "out")
    assert not (layout.staging / "old").exists()
    assert not (layout.root / "out").exists()


def test_a_non_empty_out_folder_elsewhere_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine").write_text("x")
    with pytest.raises(ConfigError, match="--out"):
        RunLayout(tmp_path / "run").prepare(tmp_path / "out")


@pytest.mark.parametrize(("text", "expected"), [("h:22", ("h", 22)), ("[::1]:2222", ("::1", 2222))])
def test_host_port(text: str, expected: tuple[str, int]) -> None:
    assert parse_host_port(text) == expected


@pytest.mark.parametrize("text", ["h", "h:0", ":22", "h:x", "h:70000"])
def test_bad_host_port(text: str) -> None:
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_host_port(text)
