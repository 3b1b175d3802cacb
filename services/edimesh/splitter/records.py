"""Message records built from the X12 core's events: envelope facts, problems, bodies.

Problems cross into messages as codes, segment ids and positions; their messages come from the
core, which never quotes element values. Only errors travel: warnings are tolerated deviations
and a reader of `problems` treats every entry as a reason to reject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from edimesh.mesh import messages
from edimesh.x12.delimiters import Delimiters
from edimesh.x12.events import BodyReference, GroupHeader, InterchangeHeader
from edimesh.x12.problems import Level, Problem

_LEVELS = {
    Level.INTERCHANGE: "INTERCHANGE",
    Level.GROUP: "GROUP",
    Level.SET: "TRANSACTION_SET",
}
_ELEMENT_KIND = re.compile(r"^(isa|iea|gs|ge|st|se)(\d\d)_")
SNIP_INTEGRITY = 1  # WEDI SNIP type 1: X12 syntax and envelope integrity


@dataclass(frozen=True, slots=True)
class FileContext:
    """The staged file being split, as its FileStaged event describes it."""

    file_id: str
    partner: str
    staging_uri: str
    size_bytes: int
    received_at: datetime  # also the TA1's ISA09/ISA10: the same on every replay
    started_at: datetime  # when this split began: the timestamps of records it writes

    def whole_file(self) -> messages.BodyRef:
        """A reference to the entire staged file: its sha256 is the file id."""
        return {
            "staging_uri": self.staging_uri,
            "byte_offset": 0,
            "length": self.size_bytes,
            "sha256": self.file_id,
        }

    def slice(self, ref: BodyReference) -> messages.BodyRef:
        return {
            "staging_uri": self.staging_uri,
            "byte_offset": ref.start,
            "length": ref.end - ref.start,
            "sha256": ref.sha256,
        }


def errors_of(problems: tuple[Problem, ...]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def envelope_context(ic: InterchangeHeader, gs: GroupHeader) -> messages.EnvelopeContext:
    return {
        "isa05": ic.sender_qualifier, "isa06": ic.sender_id,
        "isa07": ic.receiver_qualifier, "isa08": ic.receiver_id,
        "isa09": ic.date, "isa10": ic.time, "isa12": ic.version,
        "isa13": ic.control_number, "isa14": ic.ack_requested, "isa15": ic.usage,
        "gs01": gs.functional_id, "gs02": gs.sender_code, "gs03": gs.receiver_code,
        "gs04": gs.date, "gs05": gs.time, "gs06": gs.control_number,
        "gs07": gs.agency, "gs08": gs.version,
    }  # fmt: skip


def delimiters_record(d: Delimiters) -> messages.Delimiters:
    return {
        "element": d.element.decode("latin-1"),
        "component": d.component.decode("latin-1"),
        "repetition": d.repetition.decode("latin-1") if d.repetition is not None else None,
        "segment": d.segment.decode("latin-1"),
    }


def _code(problem: Problem) -> str:
    return problem.code or problem.kind


def envelope_problem(problem: Problem) -> messages.EnvelopeProblem:
    loc = problem.location
    return {
        # A file-level problem never reaches a set or group record; INTERCHANGE is its nearest.
        "level": _LEVELS.get(problem.level, "INTERCHANGE"),
        "code": _code(problem),
        "message": problem.message,
        "segment_id": loc.segment_id,
        "segment_position": loc.segment_position,
        "byte_offset": loc.byte_offset,
    }


def error_detail(problem: Problem) -> messages.ErrorDetail:
    loc = problem.location
    element = _ELEMENT_KIND.match(problem.kind)
    return {
        "code": _code(problem),
        "snip_level": SNIP_INTEGRITY,
        "segment_id": loc.segment_id,
        # ErrorDetail counts segments inside a set; the core counts them in the file.
        "segment_position": None,
        "element_ref": element.group(0)[:-1].upper() if element else None,
        "loop_id": None,
        "byte_offset": loc.byte_offset,
        "message": problem.message,
    }
