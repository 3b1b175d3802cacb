"""Findings: what validation reports, where, and with which acknowledgment codes.

A finding never carries an element value: it names the rule, the loop, the segment position
(ST = 1, as 999 IK302 counts), the element reference (``CLM02``, ``SV101-2``, ``EB03[2]``)
and the codes a 999 would use. Messages are fixed texts with ids and codes only, so a finding
can be logged, traced and shown without PHI.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the set is rejected (schema) or held for review (business)
    WARNING = "warning"  # reported, the set still flows
    INFO = "info"  # a fact worth knowing, e.g. a code set that was not checked


class Snip(IntEnum):
    """WEDI SNIP testing levels this module implements."""

    SYNTAX = 1  # X12 integrity: types, lengths, characters, dates, required elements, counts
    IMPLEMENTATION = 2  # guide structure: segments, usage, repeats, code values, situations
    BALANCING = 3  # amounts that must add up
    SITUATIONAL = 4  # inter-segment situational rules
    CODE_SETS = 5  # external code sets: NPI, ICD-10-CM, HCPCS, POS, states, ZIP, CARC/RARC


# 999 IK304: implementation segment syntax error codes.
IK3_UNRECOGNIZED_SEGMENT = "1"
IK3_UNEXPECTED_SEGMENT = "2"
IK3_REQUIRED_SEGMENT_MISSING = "3"
IK3_LOOP_OVER_MAX = "4"
IK3_SEGMENT_OVER_MAX = "5"
IK3_NOT_IN_SET = "6"
IK3_OUT_OF_SEQUENCE = "7"
IK3_ELEMENT_ERRORS = "8"
IK3_NOT_USED_SEGMENT = "I4"
IK3_DEPENDENT_SEGMENT_MISSING = "I6"
IK3_LOOP_UNDER_MIN = "I7"

# 999 IK403: implementation data element syntax error codes.
IK4_REQUIRED_MISSING = "1"
IK4_CONDITIONAL_MISSING = "2"
IK4_TOO_MANY_ELEMENTS = "3"
IK4_TOO_SHORT = "4"
IK4_TOO_LONG = "5"
IK4_INVALID_CHARACTER = "6"
IK4_INVALID_CODE = "7"
IK4_INVALID_DATE = "8"
IK4_INVALID_TIME = "9"
IK4_EXCLUSION_VIOLATED = "10"
IK4_TOO_MANY_REPETITIONS = "12"
IK4_TOO_MANY_COMPONENTS = "13"
IK4_CODE_NOT_USED = "I6"
IK4_DEPENDENT_MISSING = "I9"
IK4_NOT_USED_PRESENT = "I10"
IK4_PATTERN_MISMATCH = "I12"

# 999 IK502: transaction set syntax error codes used here.
IK5_SEGMENTS_IN_ERROR = "5"
IK5_IMPLEMENTATION_SEGMENTS_IN_ERROR = "I5"
IK5_CONVENTION_NOT_SUPPORTED = "I6"


@dataclass(frozen=True, slots=True)
class Finding:
    """One validation finding. Positions count from 1; `message` holds no element value."""

    rule: str  # stable machine name, e.g. "snip3.claim_balance"
    snip: Snip
    severity: Severity
    message: str
    segment_id: str | None = None
    segment_position: int | None = None  # in the set, ST = 1 (999 IK302)
    loop_id: str | None = None  # guide loop id (999 IK303), e.g. "2300"
    element_ref: str | None = None  # e.g. "CLM02", "SV101-2", "EB03[2]"
    element_position: tuple[int, int | None, int | None] | None = None  # IK401: elem, comp, rep
    data_element: int | None = None  # IK402 data element reference number
    ik304: str | None = None  # segment syntax error code
    ik403: str | None = None  # element syntax error code
    ik502: str | None = None  # set-level code, for findings about the whole set
    byte_offset: int | None = None  # of the segment's first byte in the file

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def in_999(self) -> bool:
        """Reported in the 999: SNIP 1-2 syntax and implementation findings (errors)."""
        return self.snip <= Snip.IMPLEMENTATION and self.is_error

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready form with the field names of the Avro ErrorDetail, plus codes."""
        out: dict[str, object] = {
            "rule": self.rule,
            "snip_level": int(self.snip),
            "severity": str(self.severity),
            "message": self.message,
        }
        for key in ("segment_id", "segment_position", "loop_id", "element_ref", "data_element",
                    "ik304", "ik403", "ik502", "byte_offset"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.element_position is not None:
            out["element_position"] = list(self.element_position)
        return out
