"""The one DLQ output builder every service uses: payload, triage headers and partition."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from edimesh.errors import SerializationError
from edimesh.mesh.codec import decode
from edimesh.mesh.dead_letter import KEYLESS_PARTITION, dead_letter_message
from edimesh.mesh.schemas import MessageType

_NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


class _Record(NamedTuple):
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


def test_a_keyed_letter_carries_schema_and_triage_headers_and_follows_its_key() -> None:
    record = _Record("edi.files.staged", 3, 17, b"k1", b"ISA*00*SSN 123-45-6789~", [("h", b"v")])
    pending = dead_letter_message("edi.dlq", record, SerializationError("no decode"), 2, _NOW,
                                  service="splitter")  # fmt: skip
    assert (pending.topic, pending.key, pending.partition) == ("edi.dlq", b"k1", None)
    headers = dict(pending.headers)
    assert headers["edimesh.schema"] == b"DeadLetter"
    assert headers["edimesh.dlq.original.topic"] == b"edi.files.staged"
    assert headers["edimesh.dlq.original.partition"] == b"3"
    assert headers["edimesh.dlq.original.offset"] == b"17"
    assert headers["edimesh.dlq.error.class"] == b"edimesh.errors.SerializationError"
    assert headers["edimesh.dlq.error.message"] == b"no decode"
    assert headers["edimesh.dlq.attempts"] == b"2"
    assert headers["edimesh.dlq.service"] == b"splitter"
    assert b"123-45" not in b"".join(v for k, v in pending.headers)
    letter = decode(pending.value, pending.headers, expected=MessageType.DEAD_LETTER)
    assert letter["original_value"] == record.value
    assert letter["original_headers"] == [{"key": "h", "value": b"v"}]


def test_a_foreign_error_text_is_replaced_and_a_keyless_letter_gets_a_fixed_partition() -> None:
    record = _Record("edi.transactions", 0, 5, None, b"x", [])
    pending = dead_letter_message("edi.dlq", record, ValueError("member 123-45-6789"), 1, _NOW,
                                  service="validator")  # fmt: skip
    assert pending.partition == KEYLESS_PARTITION
    assert dict(pending.headers)["edimesh.dlq.error.message"] == b"ValueError"
    assert b"123-45" not in pending.value
