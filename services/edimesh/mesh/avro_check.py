"""Strict, PHI-safe validation of a Python record against a parsed Avro schema.

fastavro's own validator accepts what Avro can promote (an int for a double, a bool for an
int via Python's subclassing, a naive datetime, extra keys) and quotes the offending value in
its message. Here nothing is coerced, and an error names the field path and the expected type,
never the value: messages may contain PHI. Logical types other than timestamps are not used
by edimesh schemas and are checked as their underlying primitive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})


class Mismatch(Exception):  # noqa: N818 - internal signal, converted to SerializationError
    """A datum does not match the schema at `path`; `reason` never quotes the datum."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"field '{path}': {reason}")


def _expected(path: str, expected: str, got: object) -> Mismatch:
    return Mismatch(path, f"expected {expected}, got {type(got).__name__}")


def check(schema: Any, datum: object, named: Mapping[str, Any], path: str) -> None:
    """Raise `Mismatch` unless `datum` matches `schema` exactly (missing fields with defaults
    are allowed: the writer fills them in)."""
    if isinstance(schema, str):
        if schema in _PRIMITIVES:
            _check_primitive(schema, datum, path)
            return
        check(named[schema], datum, named, path)
        return
    if isinstance(schema, list):
        _check_union(schema, datum, named, path)
        return
    kind = schema["type"]
    logical = schema.get("logicalType")
    if logical in {"timestamp-millis", "timestamp-micros"}:
        if not isinstance(datum, dt.datetime) or datum.utcoffset() is None:
            raise _expected(path, "timezone-aware datetime", datum)
        return
    if kind == "record":
        _check_record(schema, datum, named, path)
    elif kind == "enum":
        if not isinstance(datum, str):
            raise _expected(path, f"enum {_short(schema['name'])} (str)", datum)
        if datum not in schema["symbols"]:
            raise Mismatch(path, f"not a symbol of enum {_short(schema['name'])}")
    elif kind == "array":
        if not isinstance(datum, list):
            raise _expected(path, "array (list)", datum)
        for index, item in enumerate(datum):
            check(schema["items"], item, named, f"{path}[{index}]")
    elif kind == "map":
        if not isinstance(datum, Mapping):
            raise _expected(path, "map (dict)", datum)
        for key, item in datum.items():
            if not isinstance(key, str):
                raise _expected(f"{path}{{}}", "string map key", key)
            check(schema["values"], item, named, f"{path}{{}}")
    elif kind == "fixed":
        if not isinstance(datum, bytes) or len(datum) != schema["size"]:
            raise _expected(path, f"bytes of length {schema['size']}", datum)
    else:
        check(kind, datum, named, path)


def _check_record(schema: Any, datum: object, named: Mapping[str, Any], path: str) -> None:
    name = _short(schema["name"])
    if not isinstance(datum, Mapping):
        raise _expected(path or name, f"record {name} (dict)", datum)
    fields = schema["fields"]
    known = {field["name"] for field in fields}
    for key in datum:
        if key not in known:
            # Name the unknown key only if it is a plain identifier; a key could itself be data.
            label = key if isinstance(key, str) and key.isidentifier() else "?"
            raise Mismatch(_join(path, label), f"unknown field (not in record {name})")
    for field in fields:
        field_path = _join(path, field["name"])
        if field["name"] not in datum:
            if "default" in field:
                continue
            raise Mismatch(field_path, "required field is missing")
        check(field["type"], datum[field["name"]], named, field_path)


def _check_union(branches: list[Any], datum: object, named: Mapping[str, Any], path: str) -> None:
    candidates = [b for b in branches if _could_be(b, datum, named)]
    if not candidates:
        expected = " | ".join(_describe(b) for b in branches)
        raise _expected(path, f"one of [{expected}]", datum)
    failures = []
    for branch in candidates:
        try:
            check(branch, datum, named, path)
        except Mismatch as exc:
            failures.append(exc)
        else:
            return
    raise failures[0]


def _could_be(schema: Any, datum: object, named: Mapping[str, Any]) -> bool:
    """Cheap pre-selection of union branches by Python type, so that errors inside the one
    plausible branch (a record's nested field) are reported precisely."""
    if isinstance(schema, str) and schema not in _PRIMITIVES:
        return _could_be(named[schema], datum, named)
    kind = schema if isinstance(schema, str) else schema["type"]
    if isinstance(schema, dict) and schema.get("logicalType", "").startswith("timestamp"):
        return isinstance(datum, dt.datetime)
    return {
        "null": datum is None,
        "boolean": isinstance(datum, bool),
        "int": isinstance(datum, int) and not isinstance(datum, bool),
        "long": isinstance(datum, int) and not isinstance(datum, bool),
        "float": isinstance(datum, float),
        "double": isinstance(datum, float),
        "bytes": isinstance(datum, bytes),
        "fixed": isinstance(datum, bytes),
        "string": isinstance(datum, str),
        "enum": isinstance(datum, str),
        "record": isinstance(datum, Mapping),
        "map": isinstance(datum, Mapping),
        "array": isinstance(datum, list),
    }.get(kind, False)


def _check_primitive(kind: str, datum: object, path: str) -> None:
    ok: bool
    if kind == "null":
        ok = datum is None
    elif kind == "boolean":
        ok = isinstance(datum, bool)
    elif kind in {"int", "long"}:
        low, high = _INT32 if kind == "int" else _INT64
        ok = isinstance(datum, int) and not isinstance(datum, bool) and low <= datum <= high
    elif kind in {"float", "double"}:
        ok = isinstance(datum, float)
    elif kind == "bytes":
        ok = isinstance(datum, bytes)
    else:
        ok = isinstance(datum, str)
    if not ok:
        if kind in {"int", "long"} and isinstance(datum, int) and not isinstance(datum, bool):
            raise Mismatch(path, f"integer out of the {kind} range")
        raise _expected(path, kind, datum)


def _describe(schema: Any) -> str:
    if isinstance(schema, str):
        return _short(schema)
    if isinstance(schema, list):
        return "union"
    if "name" in schema:
        return f"{schema['type']} {_short(schema['name'])}"
    return str(schema.get("logicalType", schema["type"]))


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
