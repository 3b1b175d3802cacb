"""Hand-written, PHI-free example records of every message type (synthetic identifiers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from edimesh.mesh import messages
from edimesh.mesh.schemas import MessageType

WHEN = dt.datetime(2024, 3, 1, 12, 30, 15, 123000, tzinfo=dt.UTC)
FILE_ID = "9f" * 32
KEY = "SENDERID|RECEIVERID|000000001|1|0001"
GROUP_KEY = "SENDERID|RECEIVERID|000000001|1"

ENVELOPE: messages.EnvelopeContext = {
    "isa05": "ZZ", "isa06": "SENDERID", "isa07": "ZZ", "isa08": "RECEIVERID",
    "isa09": "240301", "isa10": "1230", "isa12": "00501", "isa13": "000000001",
    "isa14": "1", "isa15": "T",
    "gs01": "HC", "gs02": "SENDERAPP", "gs03": "RECEIVERAPP", "gs04": "20240301",
    "gs05": "1230", "gs06": "1", "gs07": "X", "gs08": "005010X222A1",
}  # fmt: skip

PROBLEM: messages.EnvelopeProblem = {
    "level": "TRANSACTION_SET",
    "code": "SE01_COUNT",
    "message": "SE01 does not match the number of segments in the set",
    "segment_id": "SE",
    "segment_position": 42,
    "byte_offset": 4096,
}

BODY = b"ST*837*0001*005010X222A1~BHT*0019*00*0123*20240301*1230*CH~SE*3*0001~"

TRANSACTION_SET: messages.TransactionSet = {
    "idempotency_key": KEY,
    "group_key": GROUP_KEY,
    "file_id": FILE_ID,
    "partner": "acme-clearinghouse",
    "st01": "837",
    "st02": "0001",
    "st03": "005010X222A1",
    "gs08": "005010X222A1",
    "envelope": ENVELOPE,
    "delimiters": {"element": "*", "component": ":", "repetition": "^", "segment": "~"},
    "segment_count": 3,
    "byte_offset": 106,
    "body": BODY,
    "problems": [PROBLEM],
}

BY_REFERENCE: messages.TransactionSet = {
    **TRANSACTION_SET,
    "st03": None,
    "delimiters": {"element": "|", "component": ">", "repetition": None, "segment": "\n"},
    "body": {
        "staging_uri": f"file:///var/lib/edimesh/staging/{FILE_ID}",
        "byte_offset": 106,
        "length": 48_000_000,
        "sha256": "ab" * 32,
    },
    "problems": [],
}

SAMPLES: dict[MessageType, dict[str, Any]] = {
    MessageType.FILE_STAGED: {
        "file_id": FILE_ID,
        "size_bytes": 123_456,
        "partner": "acme-clearinghouse",
        "source_path_token": "k1:3q2+7w",
        "staging_uri": f"file:///var/lib/edimesh/staging/{FILE_ID}",
        "received_at": WHEN,
    },
    MessageType.TRANSACTION_SET: dict(TRANSACTION_SET),
    MessageType.VALIDATED_TRANSACTION: {
        "idempotency_key": KEY,
        "file_id": FILE_ID,
        "partner": "acme-clearinghouse",
        "set_type": "837",
        "guide": "005010X222A1",
        "content_model": "Claim837P/1",
        "content_json": b'{"claims":[{"charge":"100.00"}]}',
        "summary": {
            "claim_count": 1,
            "total_charge": "100.00",
            "total_paid": None,
            "errors": 0,
            "warnings": 2,
            "infos": 0,
        },
        "validated_at": WHEN,
    },
    MessageType.QUARANTINED: {
        "idempotency_key": KEY,
        "scope": "TRANSACTION_SET",
        "category": "SCHEMA",
        "file_id": FILE_ID,
        "partner": "acme-clearinghouse",
        "set_type": "837",
        "errors": [
            {
                "code": "IK403_7",
                "snip_level": 2,
                "segment_id": "CLM",
                "segment_position": 17,
                "element_ref": "CLM05-1",
                "loop_id": "2300",
                "byte_offset": 812,
                "message": "CLM05-1 is not a valid facility code",
            },
            {
                "code": "X12_SYNTAX",
                "snip_level": None,
                "segment_id": None,
                "segment_position": None,
                "element_ref": None,
                "loop_id": None,
                "byte_offset": None,
                "message": "segment terminator missing at end of set",
            },
        ],
        "raw": BODY,
        "quarantined_at": WHEN,
    },
    MessageType.DEAD_LETTER: {
        "original_topic": "edi.transactions",
        "original_partition": 3,
        "original_offset": 9_000_000_001,
        "original_key": KEY.encode(),
        "original_value": b"\x00\xffnot avro",
        "original_headers": [
            {"key": "edimesh.schema", "value": b"TransactionSet"},
            {"key": "traceparent", "value": None},
        ],
        "service": "validator",
        "error_class": "edimesh.errors.SerializationError",
        "error_message": "TransactionSet v1: value does not decode (EOFError)",
        "attempt_count": 1,
        "failed_at": WHEN,
    },
    MessageType.ACKNOWLEDGMENT: {
        "kind": "ACK_999",
        "x12": "ISA*00*...~IEA*1*000000002~",
        "acknowledges": {
            "isa06": "SENDERID",
            "isa08": "RECEIVERID",
            "isa13": "000000001",
            "gs06": "1",
            "group_key": GROUP_KEY,
        },
        "status": "A",
        "note_code": None,
        "file_id": FILE_ID,
        "partner": "acme-clearinghouse",
        "created_at": WHEN,
    },
    MessageType.GROUP_MANIFEST: {
        "group_key": GROUP_KEY,
        "file_id": FILE_ID,
        "partner": "acme-clearinghouse",
        "envelope": ENVELOPE,
        "set_count": 2,
        "emitted_count": 1,
        "declared_count": 2,
        "byte_offset": 106,
        "problems": [PROBLEM],
    },
    MessageType.SPLITTER_PROGRESS: {
        "file_id": FILE_ID,
        "source_topic": "edi.files.staged",
        "source_partition": 2,
        "source_offset": 9_000_000_001,
        "outputs": 1500,
        "sets": 1480,
        "byte_offset": 7_340_032,
        "interchanges_decided": 3,
        "duplicate_interchanges": [2],
        "done": False,
        "updated_at": WHEN,
    },
    MessageType.SET_RESULT: {
        "idempotency_key": KEY,
        "group_key": GROUP_KEY,
        "file_id": FILE_ID,
        "partner": "acme-clearinghouse",
        "st01": "837",
        "st02": "0001",
        "st03": "005010X222A1",
        "envelope": ENVELOPE,
        "route": "QUARANTINED",
        "ik501": "R",
        "ik502": ["5"],
        "segments": [
            {
                "segment_id": "CLM",
                "segment_position": 17,
                "loop_id": "2300",
                "ik304": "8",
                "business_unit": {"name": "CLM01", "value": "PATIENTACCT1"},
                "elements": [
                    {
                        "position": 5,
                        "component": 1,
                        "repetition": None,
                        "data_element": 1331,
                        "ik403": "7",
                        "copy": "99",
                    },
                ],
            },
            {
                "segment_id": "ZZZ",
                "segment_position": 3,
                "loop_id": None,
                "ik304": "2",
                "business_unit": None,
                "elements": [],
            },
        ],
        "produced_at": WHEN,
    },
    MessageType.INTERCHANGE_LEDGER_ENTRY: {
        "interchange_key": "SENDERID|RECEIVERID|000000001",
        "file_id": FILE_ID,
        "interchange_index": 1,
        "partner": "acme-clearinghouse",
        "accepted_at": WHEN,
    },
}
