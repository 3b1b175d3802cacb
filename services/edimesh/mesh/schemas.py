"""The Avro schemas of every topic payload, loaded once from `schemas/`.

Layout: `schemas/<Name>.avsc` is the current schema of message type `<Name>`;
`schemas/released/<Name>/v<N>.avsc` are the versions that have been written to Kafka. The
current schema must equal the newest released one (docs aside): a message's headers name
`<Name>` and `<N>`, and a reader picks the writer schema by that pair, so a schema that changed
without a new release would be read with the wrong writer schema.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from fastavro import parse_schema
from fastavro.schema import SchemaParseException, UnknownType

from edimesh.errors import ConfigError

SCHEMA_DIR_ENV = "EDIMESH_SCHEMA_DIR"
NAMESPACE = "org.edimesh"
VERSION_FILE = re.compile(r"^v([1-9][0-9]*)\.avsc$")


class MessageType(StrEnum):
    """Every message type, named as its schema file."""

    FILE_STAGED = "FileStaged"
    TRANSACTION_SET = "TransactionSet"
    VALIDATED_TRANSACTION = "ValidatedTransaction"
    QUARANTINED = "Quarantined"
    DEAD_LETTER = "DeadLetter"
    ACKNOWLEDGMENT = "Acknowledgment"
    GROUP_MANIFEST = "GroupManifest"
    SPLITTER_PROGRESS = "SplitterProgress"
    INTERCHANGE_LEDGER_ENTRY = "InterchangeLedgerEntry"
    SET_RESULT = "SetResult"


@dataclass(frozen=True, slots=True)
class SchemaVersion:
    """One version of one message type's schema, parsed by fastavro."""

    name: str
    version: int
    source: Mapping[str, Any]  # the JSON as written in the file
    parsed: Any  # fastavro's parsed form, with its own named types

    @property
    def named(self) -> Mapping[str, Any]:
        named: Mapping[str, Any] = self.parsed["__named_schemas"]
        return named


@dataclass(frozen=True, slots=True)
class SchemaSet:
    """Current and released schemas of every message type."""

    directory: Path
    current: Mapping[str, SchemaVersion]
    released: Mapping[tuple[str, int], SchemaVersion]

    def writer(self, name: str, version: int) -> SchemaVersion | None:
        return self.released.get((name, version))


def without_docs(node: Any) -> Any:
    """The schema JSON minus `doc` strings: docs may improve without a new version."""
    if isinstance(node, dict):
        return {k: without_docs(v) for k, v in node.items() if k != "doc"}
    if isinstance(node, list):
        return [without_docs(v) for v in node]
    return node


def parse(name: str, version: int, source: Mapping[str, Any]) -> SchemaVersion:
    """Parse one schema in a fresh named-type scope (versions share type names)."""
    try:
        parsed: Any = parse_schema(dict(source), named_schemas={})
    except (SchemaParseException, UnknownType, ValueError, TypeError, KeyError) as exc:
        raise ConfigError(f"schema {name} v{version} does not parse: {exc}") from exc
    if parsed.get("name") != f"{NAMESPACE}.{name}":
        raise ConfigError(f"schema file {name} must define record {NAMESPACE}.{name}")
    return SchemaVersion(name=name, version=version, source=source, parsed=parsed)


def load(directory: Path) -> SchemaSet:
    """Read and check every schema under `directory`."""
    if not directory.is_dir():
        raise ConfigError(f"schema directory {directory} not found (set {SCHEMA_DIR_ENV})")
    current: dict[str, SchemaVersion] = {}
    released: dict[tuple[str, int], SchemaVersion] = {}
    for path in sorted(directory.glob("*.avsc")):
        name = path.stem
        versions = released_versions(directory / "released" / name)
        if not versions:
            raise ConfigError(f"schema {name} has no released version under released/{name}/")
        for version, vpath in versions.items():
            released[(name, version)] = parse(name, version, _read_json(vpath))
        latest = max(versions)
        schema = parse(name, latest, _read_json(path))
        if without_docs(schema.source) != without_docs(released[(name, latest)].source):
            raise ConfigError(
                f"schema {name} differs from released/{name}/v{latest}.avsc: release it as "
                f"v{latest + 1} (python -m edimesh.mesh.schema_release) before using it"
            )
        current[name] = schema
    missing = {m.value for m in MessageType} - current.keys()
    if missing:
        raise ConfigError(f"schema files missing for {sorted(missing)} in {directory}")
    return SchemaSet(directory=directory, current=current, released=released)


def schema_dir() -> Path:
    """Where the schemas are: $EDIMESH_SCHEMA_DIR, else inside the installed package (wheel
    builds ship them as edimesh/schemas), else the source tree's top-level schemas/."""
    explicit = os.environ.get(SCHEMA_DIR_ENV)
    if explicit:
        return Path(explicit)
    packaged = Path(__file__).resolve().parents[1] / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "schemas"


@functools.cache
def schemas() -> SchemaSet:
    """The process-wide schema set, parsed on first use."""
    return load(schema_dir())


def released_versions(folder: Path) -> dict[int, Path]:
    """Released version numbers of one message type, with their files."""
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.iterdir():
        match = VERSION_FILE.match(path.name)
        if match:
            found[int(match.group(1))] = path
    return found


def _read_json(path: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read schema {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"schema {path} is not a JSON object")
    return data
