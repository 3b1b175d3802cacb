"""Dead letters carry their triage facts in Kafka headers, with no values of the original."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from edimesh.errors import SerializationError
from edimesh.mesh.dead_letter import dead_letter, dead_letter_headers


class _Record(NamedTuple):
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


def test_headers_name_the_origin_the_error_and_the_attempts() -> None:
    record = _Record("edi.transactions", 2, 41, None, b"\x00garbage SSN 123-45-6789", [])
    letter = dead_letter(record, SerializationError("TransactionSet v1: value does not decode"),
                         3, dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
                         service="validator")  # fmt: skip
    headers = dict(dead_letter_headers(letter))
    assert headers["edimesh.dlq.original.topic"] == b"edi.transactions"
    assert headers["edimesh.dlq.original.partition"] == b"2"
    assert headers["edimesh.dlq.original.offset"] == b"41"
    assert headers["edimesh.dlq.error.class"] == b"edimesh.errors.SerializationError"
    assert headers["edimesh.dlq.attempts"] == b"3"
    assert b"123-45" not in b"".join(headers.values())
