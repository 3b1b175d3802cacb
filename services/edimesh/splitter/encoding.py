"""Avro encoding of the records the splitter builds itself, on the hot path.

`codec.encode` first checks a record strictly in Python (no coercion, no unknown fields), which
costs several times the Avro write itself; per transaction set that was the largest single cost
of a split. The handler builds these records from typed core values, so the splitter writes
them with fastavro directly (TransactionSets with `set_encoder`, faster still), with the same
current schema and the same headers. Should the
writer reject one (a bug), `codec.encode` runs on it to raise its precise SerializationError.
tests/unit/splitter/test_encoding.py proves the bytes are identical to `codec.encode`'s.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from fastavro import schemaless_writer

from edimesh.mesh.codec import Encoded, current_schema, encode, schema_headers
from edimesh.mesh.schemas import MessageType
from edimesh.splitter.set_encoder import SetEncoder

_WRITE_ERRORS = (TypeError, ValueError, OverflowError, KeyError, AttributeError)


class TrustedEncoder:
    """Encodes records already known to fit their schema (built by this service's code)."""

    def __init__(self) -> None:
        self._parsed: dict[MessageType, Any] = {}
        self._headers: dict[MessageType, list[tuple[str, bytes]]] = {}
        sets = SetEncoder()
        self._sets = sets if sets.usable else None

    def encode(self, message_type: MessageType, record: Mapping[str, Any]) -> Encoded:
        if message_type is MessageType.TRANSACTION_SET and self._sets is not None:
            return self._sets.encode(record)
        parsed = self._parsed.get(message_type)
        if parsed is None:
            parsed = self._parsed[message_type] = current_schema(message_type).parsed
            self._headers[message_type] = schema_headers(message_type)
        out = io.BytesIO()
        try:
            schemaless_writer(out, parsed, record)
        except _WRITE_ERRORS:
            return encode(message_type, record)  # raises the precise, value-free error
        return Encoded(out.getvalue(), self._headers[message_type])
