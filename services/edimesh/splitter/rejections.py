"""What the splitter publishes about units it does not pass on: TA1s and quarantine records.

- an interchange with errors (or a duplicate): a TA1 on edi.acks and a Quarantined record
  (scope INTERCHANGE), both keyed by the interchange key;
- a set whose key would repeat: a Quarantined record (scope TRANSACTION_SET) with its bytes;
- problems no TA1 can carry (no usable ISA, segments outside any interchange): one Quarantined
  record for the whole file, keyed by the file id.

Quarantine `raw` for an interchange or a file references the whole staged file: the core does
not hash interchanges, and the file's sha256 is its id, so no second read is needed; the errors'
byte offsets point inside it.
"""

from __future__ import annotations

from edimesh.mesh import messages
from edimesh.mesh.schemas import MessageType
from edimesh.splitter.outputs import Destination, Output
from edimesh.splitter.records import FileContext, error_detail
from edimesh.x12 import problems as codes
from edimesh.x12.events import InterchangeHeader
from edimesh.x12.problems import Level, Location, Problem
from edimesh.x12.ta1 import Ta1Status, build_ta1, ta1_control_number


def duplicate_problem(index: int, header: InterchangeHeader) -> Problem:
    return Problem(
        "isa13_duplicate", Level.INTERCHANGE, codes.TA1_DUPLICATE_INTERCHANGE,
        "ISA06/ISA08/ISA13 repeat an interchange already accepted",
        Location(index, segment_id="ISA", byte_offset=header.byte_offset),
    )  # fmt: skip


def reject_interchange(
    ctx: FileContext,
    index: int,
    header: InterchangeHeader,
    *,
    status: Ta1Status,
    code: str,
    errors: list[Problem],
) -> list[Output]:
    """The TA1 answering interchange `index` of the file, and its quarantine record."""
    key = header.interchange_key
    ta1 = build_ta1(
        header,
        note_code=code,
        status=status,
        control_number=ta1_control_number(f"{ctx.file_id}:{index}"),  # same on every replay
        when=ctx.received_at,
    )
    ack: messages.Acknowledgment = {
        "kind": "TA1",
        "x12": ta1.text,
        "acknowledges": {
            "isa06": header.sender_id,
            "isa08": header.receiver_id,
            "isa13": header.control_number,
            "gs06": None,
            "group_key": None,
        },
        "status": status.value,
        "note_code": ta1.note_code,
        "file_id": ctx.file_id,
        "partner": ctx.partner,
        "created_at": ctx.started_at,
    }
    quarantined: messages.Quarantined = {
        "idempotency_key": key,
        "scope": "INTERCHANGE",
        "category": "ENVELOPE",
        "file_id": ctx.file_id,
        "partner": ctx.partner,
        "set_type": None,
        "errors": [error_detail(p) for p in errors],
        "raw": ctx.whole_file(),
        "quarantined_at": ctx.started_at,
    }
    return [
        Output(Destination.ACKS, MessageType.ACKNOWLEDGMENT, key, ack),
        Output(Destination.QUARANTINE, MessageType.QUARANTINED, key, quarantined),
    ]


def quarantine_set(
    ctx: FileContext, key: str, st01: str, body: bytes | messages.BodyRef, errors: list[Problem]
) -> Output:
    record: messages.Quarantined = {
        "idempotency_key": key,
        "scope": "TRANSACTION_SET",
        "category": "ENVELOPE",
        "file_id": ctx.file_id,
        "partner": ctx.partner,
        "set_type": st01 or None,
        "errors": [error_detail(p) for p in errors],
        "raw": body,
        "quarantined_at": ctx.started_at,
    }
    return Output(Destination.QUARANTINE, MessageType.QUARANTINED, key, record)


def quarantine_file(ctx: FileContext, problems: list[Problem]) -> Output:
    record: messages.Quarantined = {
        "idempotency_key": ctx.file_id,
        "scope": "FILE",
        "category": "ENVELOPE",
        "file_id": ctx.file_id,
        "partner": ctx.partner,
        "set_type": None,
        "errors": [error_detail(p) for p in problems],
        "raw": ctx.whole_file(),
        "quarantined_at": ctx.started_at,
    }
    return Output(Destination.QUARANTINE, MessageType.QUARANTINED, ctx.file_id, record)
