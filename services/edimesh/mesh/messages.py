"""Typed views of the message records, as `decode` returns them and `encode` accepts them.

The schemas under `schemas/` are the source of truth; tests/unit/test_codec.py checks that
every TypedDict here has exactly the fields of its Avro record. Enum fields are plain strings
holding the symbol. Timestamps are timezone-aware datetimes, stored to the millisecond.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict


class FileStaged(TypedDict):
    file_id: str
    size_bytes: int
    partner: str
    source_path_token: str
    staging_uri: str
    received_at: dt.datetime


class EnvelopeContext(TypedDict):
    isa05: str
    isa06: str
    isa07: str
    isa08: str
    isa09: str
    isa10: str
    isa12: str
    isa13: str
    isa14: str
    isa15: str
    gs01: str
    gs02: str
    gs03: str
    gs04: str
    gs05: str
    gs06: str
    gs07: str
    gs08: str


class Delimiters(TypedDict):
    element: str
    component: str
    repetition: str | None
    segment: str


class BodyRef(TypedDict):
    staging_uri: str
    byte_offset: int
    length: int
    sha256: str


class EnvelopeProblem(TypedDict):
    level: str  # INTERCHANGE | GROUP | TRANSACTION_SET
    code: str
    message: str
    segment_id: str | None
    segment_position: int | None
    byte_offset: int | None


class TransactionSet(TypedDict):
    idempotency_key: str
    group_key: str
    file_id: str
    partner: str
    st01: str
    st02: str
    st03: str | None
    gs08: str
    envelope: EnvelopeContext
    delimiters: Delimiters
    segment_count: int
    byte_offset: int
    body: bytes | BodyRef
    problems: list[EnvelopeProblem]


class ValidationSummary(TypedDict):
    claim_count: int
    total_charge: str | None
    total_paid: str | None
    errors: int
    warnings: int
    infos: int


class ValidatedTransaction(TypedDict):
    idempotency_key: str
    file_id: str
    partner: str
    set_type: str
    guide: str
    content_model: str
    content_json: bytes
    summary: ValidationSummary
    validated_at: dt.datetime


class ErrorDetail(TypedDict):
    code: str
    snip_level: int | None
    segment_id: str | None
    segment_position: int | None
    element_ref: str | None
    loop_id: str | None
    byte_offset: int | None
    message: str


class Quarantined(TypedDict):
    idempotency_key: str
    scope: str  # FILE | INTERCHANGE | GROUP | TRANSACTION_SET
    category: str  # ENVELOPE | SCHEMA | BUSINESS
    file_id: str | None
    partner: str | None
    set_type: str | None
    errors: list[ErrorDetail]
    raw: bytes | BodyRef
    quarantined_at: dt.datetime


class Header(TypedDict):
    key: str
    value: bytes | None


class DeadLetter(TypedDict):
    original_topic: str
    original_partition: int
    original_offset: int
    original_key: bytes | None
    original_value: bytes | None
    original_headers: list[Header]
    service: str
    error_class: str
    error_message: str
    attempt_count: int
    failed_at: dt.datetime


class AckTarget(TypedDict):
    isa06: str
    isa08: str
    isa13: str
    gs06: str | None
    group_key: str | None


class Acknowledgment(TypedDict):
    kind: str  # TA1 | ACK_999
    x12: str
    acknowledges: AckTarget
    status: str  # A | E | M | P | R | W | X
    note_code: str | None
    file_id: str | None
    partner: str | None
    created_at: dt.datetime


class GroupManifest(TypedDict):
    group_key: str
    file_id: str
    partner: str
    envelope: EnvelopeContext
    set_count: int
    emitted_count: int
    declared_count: int | None
    byte_offset: int
    problems: list[EnvelopeProblem]


class SplitterProgress(TypedDict):
    file_id: str
    source_topic: str
    source_partition: int
    source_offset: int
    outputs: int
    sets: int
    byte_offset: int
    interchanges_decided: int
    duplicate_interchanges: list[int]
    done: bool
    updated_at: dt.datetime


class InterchangeLedgerEntry(TypedDict):
    interchange_key: str
    file_id: str
    interchange_index: int
    partner: str
    accepted_at: dt.datetime


class BusinessUnit(TypedDict):
    name: str  # CTX01-1, e.g. CLM01
    value: str  # CTX01-2: PHI, never logged


class AckElement(TypedDict):
    position: int
    component: int | None
    repetition: int | None
    data_element: int | None
    ik403: str
    copy: str | None


class AckSegment(TypedDict):
    segment_id: str
    segment_position: int
    loop_id: str | None
    ik304: str
    business_unit: BusinessUnit | None
    elements: list[AckElement]


class SetResult(TypedDict):
    idempotency_key: str
    group_key: str
    file_id: str
    partner: str
    st01: str
    st02: str
    st03: str | None
    envelope: EnvelopeContext
    route: str  # VALIDATED | QUARANTINED | DEAD_LETTERED
    ik501: str
    ik502: list[str]
    segments: list[AckSegment]
    produced_at: dt.datetime
