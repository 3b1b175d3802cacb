"""The Avro codec: round trips, strict encoding, hostile input on decode."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import typing
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edimesh.errors import SerializationError
from edimesh.mesh import codec, messages
from edimesh.mesh.avro_check import Mismatch, check
from edimesh.mesh.codec import SCHEMA_HEADER, VERSION_HEADER, decode, encode
from edimesh.mesh.schemas import MessageType, schemas
from tests.unit.mesh_samples import BY_REFERENCE, SAMPLES

PHI_LIKE = "SSN-123-45-6789"  # a value that must never appear in an error message


@pytest.mark.parametrize("message_type", list(MessageType))
def test_every_message_type_round_trips(message_type: MessageType) -> None:
    record = SAMPLES[message_type]
    value, headers = encode(message_type, record)
    assert headers == [
        (SCHEMA_HEADER, message_type.value.encode()),
        (VERSION_HEADER, str(schemas().current[message_type].version).encode()),
    ]
    assert decode(value, headers, expected=message_type) == record


def test_transaction_set_by_reference_round_trips() -> None:
    value, headers = encode(MessageType.TRANSACTION_SET, BY_REFERENCE)
    decoded = decode(value, headers)
    assert decoded == BY_REFERENCE
    assert isinstance(decoded["body"], dict)
    assert decoded["body"]["length"] == 48_000_000


def test_inline_and_reference_bodies_decode_to_distinct_python_types() -> None:
    inline = decode(*encode(MessageType.TRANSACTION_SET, SAMPLES[MessageType.TRANSACTION_SET]))
    assert isinstance(inline["body"], bytes)


def test_timestamps_come_back_aware_utc() -> None:
    decoded = decode(*encode(MessageType.FILE_STAGED, SAMPLES[MessageType.FILE_STAGED]))
    assert decoded["received_at"].utcoffset() == dt.timedelta(0)


def test_fields_with_defaults_may_be_omitted() -> None:
    record = dict(SAMPLES[MessageType.TRANSACTION_SET])
    del record["problems"]
    del record["st03"]
    decoded = decode(*encode(MessageType.TRANSACTION_SET, record))
    assert decoded["problems"] == []
    assert decoded["st03"] is None


def _mutated(message_type: MessageType, path: list[str | int], value: Any) -> dict[str, Any]:
    record = copy.deepcopy(SAMPLES[message_type])
    target: Any = record
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return record


@pytest.mark.parametrize(
    ("message_type", "path", "value", "field"),
    [
        (MessageType.FILE_STAGED, ["size_bytes"], PHI_LIKE, "size_bytes"),  # str for long
        (MessageType.FILE_STAGED, ["size_bytes"], True, "size_bytes"),  # bool is not an int
        (MessageType.FILE_STAGED, ["size_bytes"], 12.0, "size_bytes"),  # no float->long
        (MessageType.FILE_STAGED, ["size_bytes"], 2**63, "size_bytes"),  # out of range
        (MessageType.TRANSACTION_SET, ["segment_count"], 2**31, "segment_count"),  # int32
        (MessageType.TRANSACTION_SET, ["body"], 17, "body"),  # int for bytes|BodyRef
        (MessageType.TRANSACTION_SET, ["body"], PHI_LIKE, "body"),  # str is not bytes
        (MessageType.TRANSACTION_SET, ["envelope", "isa06"], 12345, "envelope.isa06"),
        (MessageType.TRANSACTION_SET, ["problems", 0, "level"], "LOOP", "problems[0].level"),
        (MessageType.TRANSACTION_SET, ["st03"], b"005010X222A1", "st03"),  # bytes for string
        (MessageType.QUARANTINED, ["category"], PHI_LIKE, "category"),  # not an enum symbol
        (MessageType.QUARANTINED, ["errors", 1, "snip_level"], "2", "errors[1].snip_level"),
        (MessageType.VALIDATED_TRANSACTION, ["content_json"], {"a": 1}, "content_json"),
        (MessageType.VALIDATED_TRANSACTION, ["summary", "claim_count"], None, "summary"),
        (MessageType.DEAD_LETTER, ["original_value"], bytearray(b"x"), "original_value"),
        (MessageType.DEAD_LETTER, ["original_headers"], ({"key": "k", "value": None},), ""),
        (MessageType.ACKNOWLEDGMENT, ["created_at"], 1_700_000_000_000, "created_at"),
        (MessageType.ACKNOWLEDGMENT, ["created_at"], dt.datetime(2024, 1, 1), "created_at"),  # noqa: DTZ001 - naive on purpose
    ],
)
def test_encode_rejects_wrong_types_naming_the_field(
    message_type: MessageType, path: list[str | int], value: Any, field: str
) -> None:
    record = _mutated(message_type, path, value)
    with pytest.raises(SerializationError) as caught:
        encode(message_type, record)
    message = str(caught.value)
    version = schemas().current[message_type].version
    assert message.startswith(f"{message_type.value} v{version}: field '{field or path[0]}")
    assert PHI_LIKE not in message
    assert caught.value.__cause__ is None  # nothing that quotes the value hangs off it


def test_encode_rejects_a_missing_required_field() -> None:
    record = dict(SAMPLES[MessageType.FILE_STAGED])
    del record["partner"]
    with pytest.raises(SerializationError, match="field 'partner': required field is missing"):
        encode(MessageType.FILE_STAGED, record)


def test_encode_rejects_a_missing_nested_required_field() -> None:
    record = copy.deepcopy(SAMPLES[MessageType.TRANSACTION_SET])
    del record["envelope"]["gs08"]
    with pytest.raises(SerializationError, match=r"field 'envelope\.gs08': required"):
        encode(MessageType.TRANSACTION_SET, record)


def test_encode_rejects_an_unknown_field() -> None:
    record = {**SAMPLES[MessageType.FILE_STAGED], "member_id": PHI_LIKE}
    with pytest.raises(SerializationError, match="field 'member_id': unknown field") as caught:
        encode(MessageType.FILE_STAGED, record)
    assert PHI_LIKE not in str(caught.value)


def test_encode_does_not_echo_an_unknown_key_that_looks_like_data() -> None:
    record = {**SAMPLES[MessageType.FILE_STAGED], PHI_LIKE: 1}
    with pytest.raises(SerializationError) as caught:
        encode(MessageType.FILE_STAGED, record)
    assert PHI_LIKE not in str(caught.value)


def test_encode_rejects_a_non_mapping_record() -> None:
    with pytest.raises(SerializationError, match="expected record FileStaged"):
        encode(MessageType.FILE_STAGED, [1, 2])  # type: ignore[arg-type]


def test_encode_rejects_an_unknown_message_type() -> None:
    with pytest.raises(SerializationError, match="unknown message type Claim"):
        encode("Claim", {})


def test_check_rejects_an_int_where_a_double_is_required() -> None:
    """No edimesh schema has a float yet; the rule is still there for when one does."""
    schema = {"type": "record", "name": "x.R", "fields": [{"name": "ratio", "type": "double"}]}
    check(schema, {"ratio": 0.5}, {}, "")
    with pytest.raises(Mismatch, match="field 'ratio': expected double, got int"):
        check(schema, {"ratio": 1}, {}, "")


# ---------------------------------------------------------------- decode


def _encoded(message_type: MessageType = MessageType.TRANSACTION_SET) -> codec.Encoded:
    return encode(message_type, SAMPLES[message_type])


def test_decode_rejects_garbage() -> None:
    _, headers = _encoded()
    with pytest.raises(SerializationError, match="TransactionSet v"):
        decode(b"\xff\xfe\xfd garbage \x00\x01" * 3, headers)


@pytest.mark.parametrize("cut", [1, 5, 40])
def test_decode_rejects_a_truncated_record(cut: int) -> None:
    value, headers = _encoded()
    with pytest.raises(SerializationError, match="does not decode"):
        decode(value[:-cut], headers)


def test_decode_rejects_trailing_bytes() -> None:
    value, headers = _encoded(MessageType.FILE_STAGED)
    with pytest.raises(SerializationError, match="trailing bytes"):
        decode(value + b"\x00", headers)


def test_decode_rejects_a_message_of_another_type() -> None:
    value, headers = _encoded(MessageType.FILE_STAGED)
    with pytest.raises(
        SerializationError, match="expected a TransactionSet message, got FileStaged"
    ):
        decode(value, headers, expected=MessageType.TRANSACTION_SET)


@pytest.mark.parametrize(
    ("headers", "match"),
    [
        (None, "no edimesh.schema"),
        ([], "no edimesh.schema"),
        ([("traceparent", b"00-abc-def-01")], "no edimesh.schema"),
        ([(SCHEMA_HEADER, b"TransactionSet")], "no edimesh.schema"),
        ([(SCHEMA_HEADER, b"TransactionSet"), (VERSION_HEADER, None)], "no edimesh.schema"),
        ([(SCHEMA_HEADER, b"TransactionSet"), (VERSION_HEADER, b"99")], "unknown schema version"),
        ([(SCHEMA_HEADER, b"TransactionSet"), (VERSION_HEADER, b"one")], "not ASCII"),
        ([(SCHEMA_HEADER, "Tränsaction".encode()), (VERSION_HEADER, b"1")], "not ASCII"),
        ([(SCHEMA_HEADER, b"Claim837"), (VERSION_HEADER, b"1")], "unknown message type"),
        ([(SCHEMA_HEADER, b"a b;c"), (VERSION_HEADER, b"1")], "does not hold a schema name"),
    ],
)
def test_decode_rejects_bad_schema_headers(
    headers: list[tuple[str, bytes | None]] | None, match: str
) -> None:
    value, _ = _encoded()
    with pytest.raises(SerializationError, match=match):
        decode(value, headers)


def test_decode_takes_the_last_schema_header_like_kafka() -> None:
    value, headers = _encoded(MessageType.FILE_STAGED)
    stale = [(SCHEMA_HEADER, b"TransactionSet"), (VERSION_HEADER, b"7")]
    assert decode(value, stale + headers) == SAMPLES[MessageType.FILE_STAGED]


def test_decode_rejects_a_tombstone() -> None:
    _, headers = _encoded()
    with pytest.raises(SerializationError, match="tombstone"):
        decode(None, headers)


@settings(max_examples=300, deadline=None)
@given(
    data=st.binary(max_size=400),
    message_type=st.sampled_from(list(MessageType)),
)
def test_decode_of_arbitrary_bytes_only_ever_raises_serialization_error(
    data: bytes, message_type: MessageType
) -> None:
    headers = codec.schema_headers(message_type)
    with contextlib.suppress(SerializationError):
        decode(data, headers)


# ---------------------------------------------------------------- schema files and typed views


def _records(schema: Any, named: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every record type reachable from `schema`, by short name."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, str):
            if node in named and node.rsplit(".", 1)[-1] not in found:
                walk(named[node])
        elif isinstance(node, list):
            for branch in node:
                walk(branch)
        elif node["type"] == "record":
            found[node["name"].rsplit(".", 1)[-1]] = node
            for field in node["fields"]:
                walk(field["type"])
        elif node["type"] == "array":
            walk(node["items"])
        elif node["type"] == "map":
            walk(node["values"])

    walk(schema)
    return found


def test_schema_files_and_message_types_match() -> None:
    assert set(schemas().current) == {m.value for m in MessageType}


@pytest.mark.parametrize("message_type", list(MessageType))
def test_typed_dicts_have_exactly_the_schema_fields(message_type: MessageType) -> None:
    schema = schemas().current[message_type.value]
    for name, record in _records(schema.parsed, dict(schema.named)).items():
        typed = getattr(messages, name)
        hints = typing.get_type_hints(typed)
        assert list(hints) == [f["name"] for f in record["fields"]], name


def test_shared_named_types_are_identical_across_schemas() -> None:
    seen: dict[str, tuple[str, Any]] = {}
    for name, version in schemas().current.items():
        for type_name, definition in version.named.items():
            if type_name in seen:
                first, other = seen[type_name]
                assert definition == other, f"{type_name} differs between {first} and {name}"
            else:
                seen[type_name] = (name, definition)


def _assert_documented(node: Any, where: str) -> None:
    if isinstance(node, list):
        for branch in node:
            _assert_documented(branch, where)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") in {"record", "enum"}:
        assert node.get("doc"), f"{where}: type {node['name']} has no doc"
    if node.get("type") == "record":
        for field in node["fields"]:
            assert field.get("doc"), f"{where}: field {node['name']}.{field['name']} has no doc"
            _assert_documented(field["type"], where)
    for key in ("items", "values"):
        if key in node:
            _assert_documented(node[key], where)


@pytest.mark.parametrize("message_type", list(MessageType))
def test_every_record_and_field_is_documented(message_type: MessageType) -> None:
    _assert_documented(schemas().current[message_type.value].source, message_type.value)
