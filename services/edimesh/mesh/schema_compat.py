"""Backward-compatibility check: can the current schema read data written with an older one?

fastavro resolves writer to reader schema while reading a datum, so a check needs data that
reaches every branch: `sample_records` makes deterministic records that cycle through every
union branch and enum symbol, with empty and non-empty arrays; `incompatibilities` writes them
with the old schema and reads them with the new one.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from fastavro import schemaless_reader, schemaless_writer
from fastavro.read import SchemaResolutionError

from edimesh.mesh.schemas import SchemaVersion

_EPOCH = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
_MAX_DEPTH = 12


def sample_records(schema: SchemaVersion) -> list[dict[str, Any]]:
    """Records that together use every union branch and enum symbol of `schema`."""
    count = max(3, _widest(schema.parsed, schema.named, set()))
    return [_sample(schema.parsed, schema.named, k, "", 0) for k in range(count)]


def incompatibilities(writer: SchemaVersion, reader: SchemaVersion) -> list[str]:
    """Why data written with `writer` cannot be read with `reader`; empty when it can."""
    problems = []
    for index, record in enumerate(sample_records(writer)):
        out = io.BytesIO()
        schemaless_writer(out, writer.parsed, record)
        out.seek(0)
        try:
            schemaless_reader(out, writer.parsed, reader.parsed)
        except (SchemaResolutionError, ValueError, TypeError, KeyError, IndexError) as exc:
            problems.append(
                f"{writer.name} v{writer.version} sample {index} unreadable by "
                f"{reader.name} v{reader.version}: {exc}"
            )
    return problems


def _widest(schema: Any, named: Mapping[str, Any], seen: set[str]) -> int:
    """The largest number of union branches or enum symbols anywhere in `schema`."""
    if isinstance(schema, str):
        if schema in named and schema not in seen:
            return _widest(named[schema], named, seen | {schema})
        return 1
    if isinstance(schema, list):
        return max([len(schema), *(_widest(b, named, seen) for b in schema)])
    kind = schema["type"]
    if kind == "record":
        seen = seen | {schema["name"]}
        return max([1, *(_widest(f["type"], named, seen) for f in schema["fields"])])
    if kind == "enum":
        return len(schema["symbols"])
    if kind == "array":
        return _widest(schema["items"], named, seen)
    if kind == "map":
        return _widest(schema["values"], named, seen)
    return 1


def _sample(schema: Any, named: Mapping[str, Any], k: int, field: str, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise ValueError("schema nests too deep for sample generation")
    if isinstance(schema, str):
        if schema in named:
            return _sample(named[schema], named, k, field, depth + 1)
        return _primitive(schema, k, field)
    if isinstance(schema, list):
        return _sample(schema[k % len(schema)], named, k, field, depth + 1)
    kind = schema["type"]
    if schema.get("logicalType") in {"timestamp-millis", "timestamp-micros"}:
        return _EPOCH + dt.timedelta(seconds=k)
    if kind == "record":
        return {
            f["name"]: _sample(f["type"], named, k, f["name"], depth + 1) for f in schema["fields"]
        }
    if kind == "enum":
        return schema["symbols"][k % len(schema["symbols"])]
    if kind == "array":
        return [_sample(schema["items"], named, k + i, field, depth + 1) for i in range(k % 3)]
    if kind == "map":
        values = schema["values"]
        return {f"k{i}": _sample(values, named, k + i, field, depth + 1) for i in range(k % 3)}
    if kind == "fixed":
        return bytes(schema["size"])
    return _sample(kind, named, k, field, depth + 1)


def _primitive(kind: str, k: int, field: str) -> Any:
    return {
        "null": None,
        "boolean": k % 2 == 0,
        "int": k + 1,
        "long": 1_000_000 + k,
        "float": k + 0.5,
        "double": k + 0.25,
        "bytes": f"{field}-{k}".encode(),
        "string": f"{field}-{k}",
    }[kind]
