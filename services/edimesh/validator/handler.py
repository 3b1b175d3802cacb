"""The pure validator handler: one decoded TransactionSet (and its bytes) in, one output out.

    job = SetJob.of(record, body)          # picklable: crosses into a worker process
    verdict = check_set(job)               # the CPU work (validation), PHI stays in the verdict
    output = route_set(record, verdict, now)

- A set that arrived with envelope problems (the splitter's findings) is not validated: it goes
  to quarantine as ENVELOPE, with those problems as its errors.
- Otherwise the validation route decides: "validated" → ValidatedTransaction (normalized JSON
  content and summary); "schema" (SNIP 1-2) → Quarantined SCHEMA; "business" (SNIP 3-5) →
  Quarantined BUSINESS, with the structured findings and the original body (bytes, or the
  BodyRef of a by-reference set).

`Verdict.ack` carries the set's 999 facts (IK501, IK502, IK3/IK4 notes) for the acknowledger;
see acknowledger/results.py. Only SNIP 1-2 findings reach the 999. For 837 sets a note inside a
claim carries that claim's CLM01 as its CTX business unit: PHI, kept out of logs and spans.

Every output is keyed by the input's idempotency key. No I/O, no clock, no logging.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from edimesh.errors import FatalError
from edimesh.mesh import messages
from edimesh.mesh.schemas import MessageType
from edimesh.validation import Finding, Severity, Snip, validate_set
from edimesh.x12.ack999 import MAX_BUSINESS_UNIT, MAX_IK3, ElementNote, SegmentNote
from edimesh.x12.delimiters import Delimiters
from edimesh.x12.segments import iter_segments

# A quarantined record carries at most this many findings (a broken set can yield thousands).
MAX_ERRORS = 200
SNIP_INTEGRITY = 1
_CLAIM_LOOPS = ("23", "24")  # 837 loops 2300/2400 and their children sit inside one claim


class Destination(StrEnum):
    VALIDATED = "validated"
    QUARANTINE = "quarantine"


class Category(StrEnum):
    ENVELOPE = "ENVELOPE"
    SCHEMA = "SCHEMA"
    BUSINESS = "BUSINESS"


class ValidationFailedError(FatalError):
    """Validation gave a result the handler cannot route (a bug): dead-letter the set."""


@dataclass(frozen=True, slots=True)
class SetJob:
    """What validating one set needs: plain, picklable values."""

    raw: bytes
    element: str
    component: str
    repetition: str | None
    segment: str
    st01: str
    st03: str
    gs08: str
    base_offset: int

    @classmethod
    def of(cls, record: messages.TransactionSet, raw: bytes) -> SetJob:
        d = record["delimiters"]
        return cls(raw, d["element"], d["component"], d["repetition"], d["segment"],
                   record["st01"], record["st03"] or "", record["gs08"],
                   record["byte_offset"])  # fmt: skip


@dataclass(frozen=True, slots=True)
class Verdict:
    """What validation decided, in the shape of the output records."""

    route: str  # "validated" | "schema" | "business"
    guide: str | None
    kind: str | None
    content_model: str | None
    content_json: bytes | None
    summary: messages.ValidationSummary
    errors: list[messages.ErrorDetail]
    ack: AckFacts = field(default_factory=lambda: AckFacts("A"))


@dataclass(frozen=True, slots=True)
class AckFacts:
    """The set's 999 outcome: IK501, IK502 codes and the IK3/IK4 notes, in set order."""

    ik501: str
    ik502: tuple[str, ...] = ()
    notes: tuple[SegmentNote, ...] = ()


def _byte(text: str | None) -> bytes | None:
    return None if text is None else text.encode("latin-1")


def _delimiters(job: SetJob) -> Delimiters:
    return Delimiters(_byte(job.element) or b"*", _byte(job.component) or b":",
                      _byte(job.repetition), _byte(job.segment) or b"~")  # fmt: skip


def check_set(job: SetJob) -> Verdict:
    """Validate one set (runs in a worker process or thread)."""
    result = validate_set(job.raw, _delimiters(job), st01=job.st01, st03=job.st03, gs08=job.gs08,
                          base_offset=job.base_offset)  # fmt: skip
    s = result.summary
    summary: messages.ValidationSummary = {
        "claim_count": s.claim_count, "total_charge": s.total_charge,
        "total_paid": s.total_paid, "errors": s.errors, "warnings": s.warnings,
        "infos": s.infos,
    }  # fmt: skip
    route = result.route
    ack_findings = [x for x in result.findings if _in_ack(x)]
    notes = ack_notes(ack_findings, job) if ack_findings else ()
    return Verdict(
        route=route,
        guide=result.guide,
        kind=result.kind,
        content_model=result.content_model,
        content_json=result.content_json() if route == "validated" else None,
        summary=summary,
        errors=[error_detail(x) for x in result.findings if x.is_error][:MAX_ERRORS],
        ack=AckFacts(result.ack_code, result.ik502, notes),
    )


def _in_ack(finding: Finding) -> bool:
    """SNIP 1-2 errors and warnings with a segment: the IK3 notes of an R or E set."""
    return (finding.snip <= Snip.IMPLEMENTATION and finding.segment_position is not None
            and finding.severity is not Severity.INFO)  # fmt: skip


def ack_notes(findings: list[Finding], job: SetJob) -> tuple[SegmentNote, ...]:
    """One IK3 per (segment position, IK304), its IK4s in finding order, in set order."""
    units = claim_units(job) if job.st01 == "837" else ClaimUnits((), ())
    grouped: dict[tuple[int, str], tuple[Finding, list[ElementNote]]] = {}
    for x in findings:
        position = x.segment_position or 0
        ik304 = x.ik304 or ("8" if x.ik403 or x.element_position else "2")
        key = (position, ik304)
        if key not in grouped:
            if len(grouped) >= MAX_IK3:
                continue
            grouped[key] = (x, [])
        if x.element_position is not None:
            el, comp, rep = x.element_position
            note = ElementNote(el, comp, rep, x.data_element, x.ik403 or "I12", None)
            grouped[key][1].append(note)
    notes = []
    for (position, ik304), (first, elements) in sorted(grouped.items()):
        unit = None
        if units.offsets and first.loop_id and first.loop_id.startswith(_CLAIM_LOOPS):
            unit = units.at(first.byte_offset)
        notes.append(SegmentNote(first.segment_id or "", position, first.loop_id, ik304,
                                 unit, tuple(dict.fromkeys(elements))))  # fmt: skip
    return tuple(notes)


@dataclass(frozen=True, slots=True)
class ClaimUnits:
    """The set's CLM segments: their file offsets (ascending) and each one's CLM01 unit."""

    offsets: tuple[int, ...]
    units: tuple[tuple[str, str], ...]

    def at(self, offset: int | None) -> tuple[str, str] | None:
        """The unit of the last CLM at or before `offset`.

        A finding with no offset sits past the set's last segment (a missing SE, say).
        """
        i = len(self.offsets) if offset is None else bisect_right(self.offsets, offset)
        return self.units[i - 1] if i else None


def claim_units(job: SetJob) -> ClaimUnits:
    """Each CLM of the set with a CLM01, by file offset (the offsets findings carry), for CTX."""
    offsets: list[int] = []
    units: list[tuple[str, str]] = []
    for segment in iter_segments(job.raw, _delimiters(job), job.base_offset):
        value = segment.element(1)[:MAX_BUSINESS_UNIT] if segment.id == "CLM" else ""
        if value:
            offsets.append(segment.offset)
            units.append(("CLM01", value))
    return ClaimUnits(tuple(offsets), tuple(units))


def error_detail(finding: Finding) -> messages.ErrorDetail:
    """A validation finding as an Avro ErrorDetail: codes and positions, never values."""
    return {
        "code": finding.ik304 or finding.ik403 or finding.rule,
        "snip_level": int(finding.snip),
        "segment_id": finding.segment_id,
        "segment_position": finding.segment_position,
        "element_ref": finding.element_ref,
        "loop_id": finding.loop_id,
        "byte_offset": finding.byte_offset,
        "message": f"{finding.rule}: {finding.message}",
    }


def envelope_errors(problems: list[messages.EnvelopeProblem]) -> list[messages.ErrorDetail]:
    return [
        {
            "code": p["code"],
            "snip_level": SNIP_INTEGRITY,
            "segment_id": p["segment_id"],
            "segment_position": p["segment_position"],
            "element_ref": None,
            "loop_id": None,
            "byte_offset": p["byte_offset"],
            "message": p["message"],
        }
        for p in problems[:MAX_ERRORS]
    ]


@dataclass(frozen=True, slots=True)
class Output:
    """One record for one destination topic, keyed by the input's idempotency key."""

    destination: Destination
    message_type: MessageType
    key: str
    record: messages.ValidatedTransaction | messages.Quarantined


def quarantine(
    record: messages.TransactionSet,
    category: Category,
    errors: list[messages.ErrorDetail],
    set_type: str | None,
    now: datetime,
) -> Output:
    body: messages.Quarantined = {
        "idempotency_key": record["idempotency_key"],
        "scope": "TRANSACTION_SET",
        "category": str(category),
        "file_id": record["file_id"],
        "partner": record["partner"],
        "set_type": set_type,
        "errors": errors,
        "raw": record["body"],
        "quarantined_at": now,
    }
    return Output(Destination.QUARANTINE, MessageType.QUARANTINED, record["idempotency_key"], body)


def route_envelope(record: messages.TransactionSet, now: datetime) -> Output | None:
    """The ENVELOPE quarantine of a set that arrived with envelope problems, else None."""
    if not record["problems"]:
        return None
    errors = envelope_errors(record["problems"])
    return quarantine(record, Category.ENVELOPE, errors, record["st01"], now)


def route_set(record: messages.TransactionSet, verdict: Verdict, now: datetime) -> Output:
    """The output of a validated set."""
    set_type = verdict.kind or record["st01"]
    if verdict.route == "schema":
        return quarantine(record, Category.SCHEMA, verdict.errors, set_type, now)
    if verdict.route == "business":
        return quarantine(record, Category.BUSINESS, verdict.errors, set_type, now)
    if (verdict.route != "validated" or verdict.content_json is None or verdict.guide is None
            or verdict.content_model is None):  # fmt: skip
        raise ValidationFailedError(f"validation gave an unroutable result ({verdict.route})")
    body: messages.ValidatedTransaction = {
        "idempotency_key": record["idempotency_key"],
        "file_id": record["file_id"],
        "partner": record["partner"],
        "set_type": set_type,
        "guide": verdict.guide,
        "content_model": verdict.content_model,
        "content_json": verdict.content_json,
        "summary": verdict.summary,
        "validated_at": now,
    }
    return Output(Destination.VALIDATED, MessageType.VALIDATED_TRANSACTION,
                  record["idempotency_key"], body)  # fmt: skip
