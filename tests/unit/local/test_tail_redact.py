"""`topics tail` rendering: every message type decodes to JSON with PHI withheld or tokenized,
and shown as is only when asked."""

from __future__ import annotations

import json
from typing import Any

import pytest

from edimesh.local.tail import TailedMessage, redact, render
from edimesh.mesh.codec import encode
from edimesh.mesh.schemas import MessageType
from edimesh.telemetry.masking import Masker
from tests.unit.mesh_samples import BODY, KEY, SAMPLES

MASKER = Masker.with_random_key()
# Values the samples carry that are PHI or control numbers.
SECRETS = (KEY, BODY.decode(), "PATIENTACCT1", '"000000001"', "claims", "ISA*00*")


def _message(message_type: MessageType, key: bytes | None = KEY.encode()) -> TailedMessage:
    value, headers = encode(message_type, SAMPLES[message_type])
    return TailedMessage("edi.x", 1, 42, 1_700_000_000_000, key, value, headers)


@pytest.mark.parametrize("message_type", sorted(SAMPLES, key=str))
def test_masked_lines_carry_no_phi_and_still_parse(message_type: MessageType) -> None:
    line = render(_message(message_type), MASKER).decode()
    parsed = json.loads(line)
    assert (parsed["topic"], parsed["partition"], parsed["offset"]) == ("edi.x", 1, 42)
    assert parsed["key"].startswith(f"{MASKER.key_id}:key:")
    assert isinstance(parsed["value"], dict)
    for secret in SECRETS:
        assert secret not in line, (message_type, secret)


def test_show_phi_prints_bodies_keys_and_content() -> None:
    quarantined = json.loads(render(_message(MessageType.QUARANTINED), None))
    assert quarantined["key"] == KEY
    assert quarantined["value"]["idempotency_key"] == KEY
    assert quarantined["value"]["raw"] == BODY.decode()
    validated = json.loads(render(_message(MessageType.VALIDATED_TRANSACTION), None))
    assert validated["value"]["content_json"] == {"claims": [{"charge": "100.00"}]}


def test_withheld_fields_show_their_size_and_ids_become_tokens() -> None:
    value: dict[str, Any] = redact(SAMPLES[MessageType.TRANSACTION_SET], MASKER)
    assert value["body"] == f"<withheld: {len(BODY)} bytes>"
    assert value["idempotency_key"] == MASKER.mask("idem", KEY)
    assert value["envelope"]["isa13"] == MASKER.mask("isa13", "000000001")
    assert value["st01"] == "837"  # not an identifier: shown


def test_a_by_reference_body_is_shown_it_holds_no_phi() -> None:
    record = {
        "body": {"staging_uri": "file:///s/x", "byte_offset": 1, "length": 2, "sha256": "ab" * 32}
    }
    assert redact(record, MASKER) == record


def test_undecodable_value_and_tombstone() -> None:
    broken = TailedMessage("t", 0, 1, 0, None, b"\x00", [("edimesh.schema", b"Nope")])
    assert "error" in json.loads(render(broken, MASKER))
    tombstone = TailedMessage("t", 0, 2, 0, b"k", None, [])
    assert json.loads(render(tombstone, MASKER))["value"] is None


def test_envelope_ids_dates_and_amounts_are_not_shown_without_the_flag() -> None:
    record = {"envelope": {"isa06": "SENDERCANARY", "isa08": "RECEIVERCANARY", "gs02": "GSSEND",
                           "gs03": "GSRECV", "isa09": "261124", "gs04": "20261124",
                           "gs01": "HC", "gs08": "005010X222A1"},
              "summary": {"total_charge": "123.45", "total_paid": "99.00", "claim_count": 2}}
    shown = json.dumps(redact(record, MASKER))
    for value in ("SENDERCANARY", "RECEIVERCANARY", "GSSEND", "GSRECV", "261124", "20261124",
                  "123.45", "99.00"):
        assert value not in shown
    assert f"{MASKER.key_id}:sender:" in shown
    assert '"HC"' in shown  # codes stay readable
    assert '"005010X222A1"' in shown
    assert "SENDERCANARY" in json.dumps(redact(record, None))
