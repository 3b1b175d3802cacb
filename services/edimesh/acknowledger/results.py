"""Pure conversions between the validator's routing, the SetResult contract and the 999 inputs.

    result = set_result_of(record, verdict, raw, now)     # validator: one per routed set
    ack = group_ack_of(manifest, results, timed_out)      # acknowledger: one per group
    text = build_999(ack, control_number=..., when=...).text

What a set's result says:
- verdict None and the set arrived with envelope problems (the validator quarantined it as
  ENVELOPE without validating): IK501 R, IK502 from the problems' codes (the x12 core already
  gives set-level problems their IK502 code: 2 trailer missing, 3 control numbers differ,
  4 segment count, 6/7 bad ST01/ST02, 23 duplicate ST02, 5 segment too long).
- verdict None and no envelope problems: the set was dead-lettered (bytes unavailable, an
  unexpected error). IK501 R with no IK502: no X12 code means "could not be processed"; the
  set waits in the DLQ for an operator.
- a verdict: IK501/IK502 and the IK3/IK4 notes of the validation (SNIP 1-2 only). A set with
  only SNIP 3-5 errors is IK5 A here and quarantined as BUSINESS: the 999 reports syntax and
  implementation errors, not business rules.

A group's 999 (AK9):
- received (AK903) is the manifest's set count, including sets the splitter did not emit
  (duplicate ST02): those count as received and rejected. Without a manifest (it never came),
  the results that arrived are the received sets.
- group problems (level GROUP) give the AK905..AK909 codes; they do not reject sets that
  flowed, so a group whose sets are all accepted but has, say, a GE01 mismatch is AK901 E.
- timed out: the sets whose result never came count as received and not accepted, so the
  999 says P (some accepted) or R (none), with an AK2 for each result that did arrive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from edimesh.mesh import messages
from edimesh.validator.handler import Verdict
from edimesh.x12.ack999 import MAX_CODES, ElementNote, GroupAck, SegmentNote, SetAck

# Codes the X231A1 guide allows in IK502 and AK905 (others are not echoed).
IK502_CODES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
                         "13", "15", "16", "17", "18", "19", "23", "24", "25", "26", "27",
                         "I5", "I6"})  # fmt: skip
AK905_CODES = frozenset({"1", "2", "3", "4", "5", "6", "10", "11", "12", "13", "14", "15", "16",
                         "17", "18", "19", "23", "24", "25", "26"})  # fmt: skip

ROUTE_VALIDATED = "VALIDATED"
ROUTE_QUARANTINED = "QUARANTINED"
ROUTE_DEAD_LETTERED = "DEAD_LETTERED"


def set_result_of(
    record: messages.TransactionSet,
    verdict: Verdict | None,
    raw: bytes | None,
    now: datetime,
) -> messages.SetResult:
    """The SetResult of one routed set. `raw` is the set's bytes when the validator had them;
    the verdict already carries what the 999 needs from them, so it is not read today."""
    del raw  # part of the call contract; the CTX values were taken in check_set
    segments: list[messages.AckSegment] = []
    if verdict is None:
        problems = record["problems"]
        route = ROUTE_QUARANTINED if problems else ROUTE_DEAD_LETTERED
        ik501 = "R"
        ik502 = _codes((p["code"] for p in problems if p["level"] == "TRANSACTION_SET"),
                       IK502_CODES)  # fmt: skip
        if problems and not ik502:
            ik502 = ["5"]  # envelope errors without a set-level code: the set is in error
    else:
        route = ROUTE_VALIDATED if verdict.route == "validated" else ROUTE_QUARANTINED
        ik501 = verdict.ack.ik501
        ik502 = _codes(verdict.ack.ik502, IK502_CODES)
        segments = [_segment_record(note) for note in verdict.ack.notes]
    return {
        "idempotency_key": record["idempotency_key"],
        "group_key": record["group_key"],
        "file_id": record["file_id"],
        "partner": record["partner"],
        "st01": record["st01"],
        "st02": record["st02"],
        "st03": record["st03"],
        "envelope": record["envelope"],
        "route": route,
        "ik501": ik501,
        "ik502": ik502,
        "segments": segments,
        "produced_at": now,
    }


def set_ack_of(result: messages.SetResult) -> SetAck:
    """The AK2 loop of one set result."""
    return SetAck(
        st01=result["st01"],
        st02=result["st02"],
        st03=result["st03"],
        status=result["ik501"],
        ik502=tuple(result["ik502"][:MAX_CODES]),
        segments=tuple(_segment_note(s) for s in result["segments"]),
    )


def group_ack_of(
    manifest: messages.GroupManifest | None,
    results: Sequence[messages.SetResult],
    timed_out: bool,
) -> GroupAck:
    """What the group's 999 answers. Results repeat on replay: one per idempotency key counts
    (the first given). Raises ValueError with neither a manifest nor a result."""
    unique: dict[str, messages.SetResult] = {}
    for result in results:
        unique.setdefault(result["idempotency_key"], result)
    ordered = sorted(unique.values(), key=lambda r: (_st02_order(r["st02"]),
                                                     r["idempotency_key"]))  # fmt: skip
    if manifest is not None:
        env = manifest["envelope"]
        declared = manifest["declared_count"]
        received = max(manifest["set_count"], len(ordered))
        ak905 = _codes((p["code"] for p in manifest["problems"] if p["level"] == "GROUP"),
                       AK905_CODES)  # fmt: skip
    elif ordered:
        env = ordered[0]["envelope"]
        declared = None
        received = len(ordered)
        ak905 = []
    else:
        raise ValueError("a 999 needs the group's manifest or at least one set result")
    return GroupAck(
        isa05=env["isa05"], isa06=env["isa06"], isa07=env["isa07"], isa08=env["isa08"],
        isa12=env["isa12"], isa15=env["isa15"],
        gs01=env["gs01"], gs02=env["gs02"], gs03=env["gs03"], gs06=env["gs06"],
        gs08=env["gs08"],
        declared_count=declared,
        sets=tuple(set_ack_of(r) for r in ordered),
        received_count=received,
        ak905=tuple(ak905),
        timed_out=timed_out,
    )  # fmt: skip


def _codes(codes: Iterable[str], allowed: frozenset[str]) -> list[str]:
    """Allowed codes, first occurrence order, at most MAX_CODES."""
    seen: dict[str, None] = {}
    for code in codes:
        if code in allowed:
            seen.setdefault(code, None)
    return list(seen)[:MAX_CODES]


def _st02_order(st02: str) -> tuple[int, int, str]:
    """Numeric ST02s in number order, then the rest as text: AK2s follow the sets' order."""
    return (0, int(st02), st02) if st02.isdigit() else (1, 0, st02)


def _segment_record(note: SegmentNote) -> messages.AckSegment:
    unit: messages.BusinessUnit | None = None
    if note.business_unit is not None:
        unit = {"name": note.business_unit[0], "value": note.business_unit[1]}
    return {
        "segment_id": note.segment_id,
        "segment_position": note.position,
        "loop_id": note.loop_id,
        "ik304": note.code,
        "business_unit": unit,
        "elements": [
            {"position": e.position, "component": e.component, "repetition": e.repetition,
             "data_element": e.data_element, "ik403": e.code, "copy": e.copy}
            for e in note.elements
        ],
    }  # fmt: skip


def _segment_note(segment: messages.AckSegment) -> SegmentNote:
    unit = segment["business_unit"]
    return SegmentNote(
        segment_id=segment["segment_id"],
        position=segment["segment_position"],
        loop_id=segment["loop_id"],
        code=segment["ik304"],
        business_unit=None if unit is None else (unit["name"], unit["value"]),
        elements=tuple(_element_note(e) for e in segment["elements"]),
    )


def _element_note(e: messages.AckElement) -> ElementNote:
    return ElementNote(e["position"], e["component"], e["repetition"], e["data_element"],
                       e["ik403"], e["copy"])  # fmt: skip
