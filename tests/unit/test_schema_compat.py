"""Schema evolution guard: the current schemas read everything ever written.

Every released version (schemas/released/<Name>/v<N>.avsc) must be readable by the current
schema, and so must the schema at git HEAD when the history is available. The negative tests
prove the guard catches what it should.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from edimesh.errors import ConfigError
from edimesh.mesh import codec
from edimesh.mesh.schema_compat import incompatibilities, sample_records
from edimesh.mesh.schema_release import release_changed
from edimesh.mesh.schemas import (
    MessageType,
    SchemaSet,
    SchemaVersion,
    load,
    parse,
    schemas,
    without_docs,
)
from tests.unit.mesh_samples import SAMPLES

REPO = Path(__file__).resolve().parents[2]
RELEASED = sorted(schemas().released)


@pytest.mark.parametrize(("name", "version"), RELEASED, ids=[f"{n}-v{v}" for n, v in RELEASED])
def test_current_schema_reads_every_released_version(name: str, version: int) -> None:
    writer = schemas().released[(name, version)]
    assert incompatibilities(writer, schemas().current[name]) == []


@pytest.mark.parametrize("name", sorted(schemas().current))
def test_current_schema_is_its_newest_release(name: str) -> None:
    current = schemas().current[name]
    newest = schemas().released[(name, current.version)]
    assert without_docs(current.source) == without_docs(newest.source)


@pytest.mark.parametrize("name", sorted(schemas().current))
def test_samples_reach_every_union_branch_and_pass_the_strict_encoder(name: str) -> None:
    samples = sample_records(schemas().current[name])
    for sample in samples:
        codec.encode(name, sample)  # raises if the generator and the checker disagree


def test_samples_cover_both_body_kinds() -> None:
    bodies = [s["body"] for s in sample_records(schemas().current["TransactionSet"])]
    assert {type(b) for b in bodies} == {bytes, dict}


# ---------------------------------------------------------------- against git HEAD


def _git_show(path: str) -> str | None:
    """The file at HEAD, or None when git, the history or the file is not there."""
    if shutil.which("git") is None:
        return None
    try:
        result = subprocess.run(
            ["git", "-C", str(REPO), "show", f"HEAD:{path}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


@pytest.mark.parametrize("name", sorted(schemas().current))
def test_current_schema_reads_the_schema_committed_at_head(name: str) -> None:
    committed = _git_show(f"schemas/{name}.avsc")
    if committed is None:
        pytest.skip(f"no git history for schemas/{name}.avsc")
    head = parse(name, 0, json.loads(committed))
    assert incompatibilities(head, schemas().current[name]) == []


@pytest.mark.parametrize(("name", "version"), RELEASED, ids=[f"{n}-v{v}" for n, v in RELEASED])
def test_released_schemas_are_never_edited(name: str, version: int) -> None:
    committed = _git_show(f"schemas/released/{name}/v{version}.avsc")
    if committed is None:
        pytest.skip(f"released/{name}/v{version}.avsc is not committed yet")
    on_disk = schemas().released[(name, version)].source
    assert without_docs(json.loads(committed)) == without_docs(on_disk)


# ---------------------------------------------------------------- the guard catches breakage


def _evolve(name: str, change: Any) -> SchemaVersion:
    source = copy.deepcopy(dict(schemas().current[name].source))
    change(source)
    return parse(name, schemas().current[name].version + 1, source)


def _field(source: dict[str, Any], name: str) -> dict[str, Any]:
    field: dict[str, Any] = next(f for f in source["fields"] if f["name"] == name)
    return field


def test_guard_rejects_a_new_required_field_without_default() -> None:
    def add_required(source: dict[str, Any]) -> None:
        source["fields"].append({"name": "batch_id", "type": "string", "doc": "new"})

    current = schemas().current["TransactionSet"]
    problems = incompatibilities(current, _evolve("TransactionSet", add_required))
    assert problems
    assert "batch_id" in problems[0]


def test_guard_rejects_a_removed_enum_symbol() -> None:
    def drop_business(source: dict[str, Any]) -> None:
        _field(source, "category")["type"]["symbols"].remove("BUSINESS")

    current = schemas().current["Quarantined"]
    assert incompatibilities(current, _evolve("Quarantined", drop_business))


def test_guard_rejects_a_removed_union_branch() -> None:
    def inline_only(source: dict[str, Any]) -> None:
        _field(source, "body")["type"] = "bytes"

    current = schemas().current["TransactionSet"]
    assert incompatibilities(current, _evolve("TransactionSet", inline_only))


def test_guard_rejects_a_changed_field_type() -> None:
    def size_as_string(source: dict[str, Any]) -> None:
        _field(source, "size_bytes")["type"] = "string"

    current = schemas().current["FileStaged"]
    assert incompatibilities(current, _evolve("FileStaged", size_as_string))


def test_guard_accepts_a_new_nullable_field_with_default_and_a_promotion() -> None:
    def evolve(source: dict[str, Any]) -> None:
        source["fields"].append(
            {"name": "batch_id", "type": ["null", "string"], "default": None, "doc": "new"}
        )
        _field(source, "segment_count")["type"] = "long"  # int -> long is a legal promotion

    current = schemas().current["TransactionSet"]
    assert incompatibilities(current, _evolve("TransactionSet", evolve)) == []


# ---------------------------------------------------------------- releasing and loading


@pytest.fixture
def schema_copy(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(schemas().directory, target)
    return target


def test_load_refuses_a_changed_schema_that_was_not_released(schema_copy: Path) -> None:
    path = schema_copy / "FileStaged.avsc"
    source = json.loads(path.read_text())
    source["fields"].append({"name": "note", "type": ["null", "string"], "default": None})
    path.write_text(json.dumps(source))
    latest = schemas().current["FileStaged"].version
    with pytest.raises(ConfigError, match=rf"differs from released/FileStaged/v{latest}\.avsc"):
        load(schema_copy)


def test_a_docs_only_change_needs_no_release(schema_copy: Path) -> None:
    path = schema_copy / "FileStaged.avsc"
    source = json.loads(path.read_text())
    source["doc"] = "Reworded."
    path.write_text(json.dumps(source))
    assert release_changed(schema_copy) == []
    assert (
        load(schema_copy).current["FileStaged"].version == schemas().current["FileStaged"].version
    )


def test_old_messages_decode_after_a_compatible_release(
    schema_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: write vN, release vN+1 with a new defaulted field, read vN data as vN+1."""
    old_message = codec.encode(MessageType.FILE_STAGED, SAMPLES[MessageType.FILE_STAGED])
    path = schema_copy / "FileStaged.avsc"
    source = json.loads(path.read_text())
    source["fields"].append(
        {"name": "note", "type": ["null", "string"], "default": None, "doc": "Added in v2."}
    )
    path.write_text(json.dumps(source))
    released = schemas().current["FileStaged"].version + 1
    assert release_changed(schema_copy) == [schema_copy / f"released/FileStaged/v{released}.avsc"]
    evolved: SchemaSet = load(schema_copy)
    monkeypatch.setattr(codec, "schemas", lambda: evolved)

    decoded = codec.decode(*old_message)
    sample = SAMPLES[MessageType.FILE_STAGED]
    assert decoded["note"] is None
    assert {key: decoded[key] for key in sample} == sample
    value, headers = codec.encode(MessageType.FILE_STAGED, decoded)
    assert (codec.VERSION_HEADER, str(released).encode()) in headers
    assert codec.decode(value, headers)["note"] is None
