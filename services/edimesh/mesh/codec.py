"""Avro codec for every topic payload: schemaless Avro bodies, schema name and version in headers.

    value, headers = encode(MessageType.TRANSACTION_SET, record)
    await producer.send(topic, value, key=key, headers=headers)
    ...
    record = decode(msg.value, msg.headers, expected=MessageType.TRANSACTION_SET)

`encode` checks the record strictly first (no coercion, no unknown fields) and `decode` picks
the writer schema named by the headers and resolves it to the current schema, so a message
written with any released version still reads. Every failure is a `SerializationError` whose
message names the schema and field but never a value.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from fastavro import schemaless_reader, schemaless_writer
from fastavro.read import SchemaResolutionError

from edimesh.errors import SerializationError
from edimesh.mesh.avro_check import Mismatch, check
from edimesh.mesh.schemas import MessageType, SchemaVersion, schemas

SCHEMA_HEADER = "edimesh.schema"
VERSION_HEADER = "edimesh.schema.version"

Headers = list[tuple[str, bytes]]

# What fastavro raises on bytes that are not a record of the writer schema.
_READ_ERRORS = (
    EOFError,
    ValueError,  # includes UnicodeDecodeError
    IndexError,
    KeyError,
    TypeError,
    OverflowError,
    MemoryError,
    SchemaResolutionError,
)


class Encoded(NamedTuple):
    """A message value and the headers that name its schema."""

    value: bytes
    headers: Headers


def current_schema(message_type: MessageType | str) -> SchemaVersion:
    """The schema new messages of this type are written with."""
    found = schemas().current.get(str(message_type))
    if found is None:
        raise SerializationError(f"unknown message type {_label(message_type)}")
    return found


def schema_headers(message_type: MessageType | str) -> Headers:
    """Headers naming the current schema of `message_type`."""
    schema = current_schema(message_type)
    return [
        (SCHEMA_HEADER, schema.name.encode("ascii")),
        (VERSION_HEADER, str(schema.version).encode("ascii")),
    ]


def encode(message_type: MessageType | str, record: Mapping[str, Any]) -> Encoded:
    """Serialize `record` with the current schema of `message_type`."""
    schema = current_schema(message_type)
    label = f"{schema.name} v{schema.version}"
    try:
        check(schema.parsed, record, schema.named, "")
    except Mismatch as exc:
        raise SerializationError(f"{label}: {exc}") from None  # the cause is only our check
    out = io.BytesIO()
    try:
        # `check` already did the strict part; fastavro's strict mode would also refuse to
        # fill in defaults for omitted fields (strict_allow_default has no effect in 1.13).
        schemaless_writer(out, schema.parsed, record)
    except (TypeError, ValueError, OverflowError, KeyError, AttributeError) as exc:
        # fastavro quotes values in its messages: keep only the class, drop the chain.
        reason = type(exc).__name__
        raise SerializationError(f"{label}: record rejected by the writer ({reason})") from None
    return Encoded(out.getvalue(), schema_headers(schema.name))


def read_schema_headers(headers: Sequence[tuple[str, bytes | None]] | None) -> tuple[str, int]:
    """(schema name, version) from a message's headers; the last occurrence wins, as in Kafka."""
    found = {k: v for k, v in headers or () if k in {SCHEMA_HEADER, VERSION_HEADER}}
    name_raw, version_raw = found.get(SCHEMA_HEADER), found.get(VERSION_HEADER)
    if not name_raw or not version_raw:
        raise SerializationError(f"message has no {SCHEMA_HEADER}/{VERSION_HEADER} headers")
    try:
        name = name_raw.decode("ascii")
        version = int(version_raw.decode("ascii"))
    except ValueError:
        raise SerializationError("schema headers are not ASCII name and integer version") from None
    if not name.isidentifier() or len(name) > 100:
        raise SerializationError("schema header does not hold a schema name")
    return name, version


def decode(
    value: bytes | None,
    headers: Sequence[tuple[str, bytes | None]] | None,
    expected: MessageType | str | None = None,
) -> dict[str, Any]:
    """Deserialize a message value written by `encode` with any released schema version.

    With `expected`, a message of another type is rejected (it is poison on this topic).
    """
    name, version = read_schema_headers(headers)
    if expected is not None and name != str(expected):
        raise SerializationError(f"expected a {_label(expected)} message, got {name}")
    reader = current_schema(name)
    writer = schemas().writer(name, version)
    if writer is None:
        raise SerializationError(f"unknown schema version {name} v{version}")
    if value is None:
        raise SerializationError(f"{name} v{version}: message has no value (tombstone)")
    source = io.BytesIO(value)
    try:
        record = schemaless_reader(
            source, writer.parsed, None if version == reader.version else reader.parsed
        )
    except _READ_ERRORS as exc:
        raise SerializationError(
            f"{name} v{version}: value does not decode ({type(exc).__name__})"
        ) from None  # fastavro's messages may quote the bytes read
    if source.tell() != len(value):
        raise SerializationError(f"{name} v{version}: trailing bytes after the record")
    if not isinstance(record, dict):
        raise SerializationError(f"{name} v{version}: value is not a record")
    return record


def _label(message_type: MessageType | str) -> str:
    text = str(message_type)
    return text if text.isidentifier() and len(text) <= 100 else "?"
