"""SetResult conversions: validator verdicts and envelope problems in, 999 inputs out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from edimesh.acknowledger.results import group_ack_of, set_ack_of, set_result_of
from edimesh.mesh import messages
from edimesh.mesh.codec import decode, encode
from edimesh.mesh.schemas import MessageType
from edimesh.splitter.outputs import Destination
from edimesh.validator.handler import SetJob, check_set
from tests.unit.mesh_samples import ENVELOPE, SAMPLES, TRANSACTION_SET
from tests.unit.splitter.helpers import split

NOW = dt.datetime(2024, 3, 15, 11, 0, tzinfo=dt.UTC)
GOLDEN = Path(__file__).resolve().parents[2] / "data" / "golden" / "999"
MANIFEST: messages.GroupManifest = SAMPLES[MessageType.GROUP_MANIFEST]  # type: ignore[assignment]


def problem(level: str, code: str) -> messages.EnvelopeProblem:
    return {"level": level, "code": code, "message": "m", "segment_id": None,
            "segment_position": None, "byte_offset": None}  # fmt: skip


def record(st02: str = "0001", **changes: object) -> messages.TransactionSet:
    key = f"{TRANSACTION_SET['group_key']}|{st02}"
    return {**TRANSACTION_SET, "idempotency_key": key, "st02": st02, "problems": [],
            **changes}  # type: ignore[typeddict-item]  # fmt: skip


def result(st02: str, ik501: str = "A", **changes: object) -> messages.SetResult:
    base = set_result_of(record(st02), None, None, NOW)
    return {**base, "route": "VALIDATED", "ik501": ik501, "ik502": [], **changes}  # type: ignore[typeddict-item]


def round_trip(value: messages.SetResult) -> messages.SetResult:
    data, headers = encode(MessageType.SET_RESULT, value)
    decoded: messages.SetResult = decode(data, headers, expected=MessageType.SET_RESULT)  # type: ignore[assignment]
    return decoded


def test_envelope_problems_reject_the_set_with_their_ik502_codes() -> None:
    problems = [problem("TRANSACTION_SET", "4"), problem("TRANSACTION_SET", "3"),
                problem("TRANSACTION_SET", "4"), problem("GROUP", "5")]  # fmt: skip
    out = round_trip(set_result_of(record(problems=problems), None, b"ST~SE~", NOW))
    assert (out["route"], out["ik501"], out["ik502"]) == ("QUARANTINED", "R", ["4", "3"])
    assert out["segments"] == []
    assert out["idempotency_key"] == record()["idempotency_key"]
    assert out["group_key"] == TRANSACTION_SET["group_key"]
    assert out["produced_at"] == NOW


def test_an_envelope_problem_without_an_ik502_code_still_says_why_in_ik502() -> None:
    out = set_result_of(record(problems=[problem("TRANSACTION_SET", "se01_count")]), None, None,
                        NOW)  # fmt: skip
    assert (out["ik501"], out["ik502"]) == ("R", ["5"])


def test_a_dead_lettered_set_is_rejected_without_a_code() -> None:
    out = round_trip(set_result_of(record(), None, None, NOW))
    assert (out["route"], out["ik501"], out["ik502"]) == ("DEAD_LETTERED", "R", [])


def _verdict_result(data: bytes) -> messages.SetResult:
    outputs, _ = split(data)
    sets = [o.record for o in outputs if o.destination is Destination.TRANSACTIONS]
    rec: messages.TransactionSet = sets[0]  # type: ignore[assignment]
    body = rec["body"]
    assert isinstance(body, bytes)
    return round_trip(set_result_of(rec, check_set(SetJob.of(rec, body)), body, NOW))


def test_a_verdict_brings_its_ack_code_and_notes_with_the_claims_clm01() -> None:
    out = _verdict_result((GOLDEN / "snip2_error.x12").read_bytes())
    assert (out["route"], out["ik501"], out["ik502"]) == ("QUARANTINED", "R", ["5"])
    assert out["segments"] == [{
        "segment_id": "SV1", "segment_position": 23, "loop_id": "2400", "ik304": "8",
        "business_unit": {"name": "CLM01", "value": "FD00000000"},
        "elements": [{"position": 3, "component": None, "repetition": None,
                      "data_element": 355, "ik403": "7", "copy": None}],
    }]  # fmt: skip


def test_a_note_outside_any_claim_has_no_business_unit() -> None:
    data = (GOLDEN / "clean_group.x12").read_bytes()
    bad = data.replace(b"NM1*85*2*", b"NM1*85*9*", 1)  # 2010AA NM102: not a valid entity type
    assert bad != data
    out = _verdict_result(bad)
    assert out["ik501"] == "R"
    assert [(s["segment_id"], s["loop_id"], s["business_unit"]) for s in out["segments"]] == [
        ("NM1", "2010AA", None)]  # fmt: skip


def test_a_clean_verdict_is_validated_and_accepted() -> None:
    out = _verdict_result((GOLDEN / "clean_group.x12").read_bytes())
    assert (out["route"], out["ik501"], out["ik502"], out["segments"]) == (
        "VALIDATED", "A", [], [])  # fmt: skip


def test_set_ack_mirrors_the_result() -> None:
    out = _verdict_result((GOLDEN / "snip2_error.x12").read_bytes())
    ack = set_ack_of(out)
    assert (ack.st01, ack.st02, ack.st03, ack.status, ack.ik502) == (
        "837", "0001", "005010X222A1", "R", ("5",))  # fmt: skip
    note = ack.segments[0]
    assert (note.segment_id, note.position, note.loop_id, note.code, note.business_unit) == (
        "SV1", 23, "2400", "8", ("CLM01", "FD00000000"))  # fmt: skip
    assert [(e.position, e.data_element, e.code, e.copy) for e in note.elements] == [
        (3, 355, "7", None)]  # fmt: skip


def test_group_ack_from_the_manifest_orders_dedupes_and_counts_unemitted_sets() -> None:
    manifest: messages.GroupManifest = {
        **MANIFEST, "set_count": 3, "emitted_count": 2, "declared_count": 3,
        "problems": [problem("GROUP", "5"), problem("TRANSACTION_SET", "23"),
                     problem("GROUP", "not-a-code")],
    }  # fmt: skip
    results = [result("10"), result("9", "R"), result("10", "R")]  # a replayed "10"
    g = group_ack_of(manifest, results, timed_out=False)
    assert [(s.st02, s.status) for s in g.sets] == [("9", "R"), ("10", "A")]
    assert (g.declared_count, g.received_count, g.ak905, g.timed_out) == (3, 3, ("5",), False)
    assert (g.isa06, g.isa08, g.gs06, g.gs08) == (ENVELOPE["isa06"], ENVELOPE["isa08"],
                                                 ENVELOPE["gs06"], ENVELOPE["gs08"])  # fmt: skip


def test_group_ack_without_a_manifest_uses_the_results_envelope() -> None:
    g = group_ack_of(None, [result("2"), result("1")], timed_out=True)
    assert [s.st02 for s in g.sets] == ["1", "2"]
    assert (g.declared_count, g.received_count, g.ak905, g.timed_out) == (None, 2, (), True)
    assert g.gs03 == ENVELOPE["gs03"]


def test_group_ack_needs_a_manifest_or_a_result() -> None:
    with pytest.raises(ValueError, match="manifest"):
        group_ack_of(None, [], timed_out=True)
