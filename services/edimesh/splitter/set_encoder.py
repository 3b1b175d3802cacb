"""A dedicated Avro writer for TransactionSet records: the one message written per set.

Of a TransactionSet's 14 fields, six are the same for every set of a functional group
(group_key, file_id, partner, gs08, the 18-field envelope, the delimiters). They are encoded once
per group and the per-set fields around them, so a set costs a few concatenations instead of a
generic schema walk. The layout is the Avro binary encoding of TransactionSet as released; at
first use the writer checks the current schema still has exactly that field layout and, if
not, declines (`usable` is False) and the caller falls back to the generic writer.
tests/unit/splitter/test_encoding.py proves the bytes equal `codec.encode`'s for many records.

The envelope and delimiters dicts are recognised by identity: the handler builds a new one per
group and never changes one afterwards (a record's other group fields are compared by value).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edimesh.mesh.codec import Encoded, current_schema, schema_headers
from edimesh.mesh.schemas import MessageType

LAYOUT = (
    ("idempotency_key", "string"), ("group_key", "string"), ("file_id", "string"),
    ("partner", "string"), ("st01", "string"), ("st02", "string"), ("st03", "?string"),
    ("gs08", "string"), ("envelope", "EnvelopeContext"), ("delimiters", "Delimiters"),
    ("segment_count", "int"), ("byte_offset", "long"), ("body", "bytes|BodyRef"),
    ("problems", "EnvelopeProblem[]"),
)  # fmt: skip
ENVELOPE = ("isa05", "isa06", "isa07", "isa08", "isa09", "isa10", "isa12", "isa13", "isa14",
            "isa15", "gs01", "gs02", "gs03", "gs04", "gs05", "gs06", "gs07", "gs08")  # fmt: skip
LEVELS = {"INTERCHANGE": 0, "GROUP": 1, "TRANSACTION_SET": 2}


_ONE_BYTE = [bytes((z,)) for z in range(0x80)]


def _long(n: int) -> bytes:
    """Avro int/long: zigzag, then base-128 varint."""
    z = (n << 1) ^ (n >> 63)
    if z < 0x80:
        return _ONE_BYTE[z]
    if z < 0x4000:
        return bytes(((z & 0x7F) | 0x80, z >> 7))
    out = bytearray()
    while z >= 0x80:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def _str(text: str) -> bytes:
    data = text.encode("utf-8")
    return _long(len(data)) + data


def _opt_str(text: str | None) -> bytes:
    return b"\x00" if text is None else b"\x02" + _str(text)


def _opt_long(n: int | None) -> bytes:
    return b"\x00" if n is None else b"\x02" + _long(n)


def _shape(schema: Any) -> tuple[tuple[str, str], ...]:
    """The current TransactionSet schema's layout, in LAYOUT's terms."""

    def kind(t: Any) -> str:
        if isinstance(t, str):
            return t.rsplit(".", 1)[-1]
        if isinstance(t, list):
            names = [kind(b) for b in t]
            return f"?{names[1]}" if names[0] == "null" and len(names) == 2 else "|".join(names)
        if t["type"] == "array":
            return f"{kind(t['items'])}[]"
        if t["type"] in ("record", "enum"):
            return str(t["name"]).rsplit(".", 1)[-1]
        return str(t["type"])

    return tuple((f["name"], kind(f["type"])) for f in schema["fields"])


def _inner_fields(schema: Any, record: str) -> tuple[str, ...]:
    named = schema["__named_schemas"]
    return tuple(f["name"] for f in named[f"org.edimesh.{record}"]["fields"])


class SetEncoder:
    """Encodes TransactionSet records, caching each group's constant bytes."""

    def __init__(self) -> None:
        schema = current_schema(MessageType.TRANSACTION_SET).parsed
        self.usable = (
            _shape(schema) == LAYOUT
            and _inner_fields(schema, "EnvelopeContext") == ENVELOPE
            and _inner_fields(schema, "Delimiters")
            == ("element", "component", "repetition", "segment")
            and _inner_fields(schema, "BodyRef")
            == ("staging_uri", "byte_offset", "length", "sha256")
            and _inner_fields(schema, "EnvelopeProblem")
            == ("level", "code", "message", "segment_id", "segment_position", "byte_offset")
            and tuple(schema["__named_schemas"]["org.edimesh.EnvelopeLevel"]["symbols"])
            == tuple(LEVELS)
        )
        self._headers = schema_headers(MessageType.TRANSACTION_SET)
        self._group: tuple[Any, ...] = ()
        self._head = b""  # group_key, file_id, partner
        self._middle = b""  # gs08, envelope, delimiters

    def encode(self, r: Mapping[str, Any]) -> Encoded:
        envelope, delimiters = r["envelope"], r["delimiters"]
        group = (envelope, delimiters, r["group_key"], r["file_id"], r["partner"], r["gs08"])
        cached = self._group
        if not (cached and cached[0] is envelope and cached[1] is delimiters
                and cached[2:] == group[2:]):  # fmt: skip
            self._group = group  # holding the dicts keeps their identity meaningful
            self._head = _str(r["group_key"]) + _str(r["file_id"]) + _str(r["partner"])
            self._middle = b"".join((
                _str(r["gs08"]), *(_str(envelope[k]) for k in ENVELOPE),
                _str(delimiters["element"]), _str(delimiters["component"]),
                _opt_str(delimiters["repetition"]), _str(delimiters["segment"]),
            ))  # fmt: skip
        body = r["body"]
        if isinstance(body, bytes):
            body_bytes = b"\x00" + _long(len(body)) + body
        else:
            body_bytes = b"".join((b"\x02", _str(body["staging_uri"]), _long(body["byte_offset"]),
                                   _long(body["length"]), _str(body["sha256"])))  # fmt: skip
        problems = r["problems"]
        tail = _problems(problems) if problems else b"\x00"
        value = b"".join((
            _str(r["idempotency_key"]), self._head, _str(r["st01"]), _str(r["st02"]),
            _opt_str(r["st03"]), self._middle, _long(r["segment_count"]),
            _long(r["byte_offset"]), body_bytes, tail,
        ))  # fmt: skip
        return Encoded(value, self._headers)


def _problems(problems: list[Mapping[str, Any]]) -> bytes:
    parts = [_long(len(problems))]
    for p in problems:
        parts += (_long(LEVELS[p["level"]]), _str(p["code"]), _str(p["message"]),
                  _opt_str(p["segment_id"]), _opt_long(p["segment_position"]),
                  _opt_long(p["byte_offset"]))  # fmt: skip
    parts.append(b"\x00")
    return b"".join(parts)
