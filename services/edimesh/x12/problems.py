"""Envelope problems and the acknowledgment codes that report them.

A `Problem` says what is wrong and where, never with the offending value: envelope ids and
codes only, so a problem can be logged, traced and shown by `edimesh check` without PHI.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    """The envelope a problem belongs to; it decides which acknowledgment reports it."""

    FILE = "file"  # outside any interchange: no TA1 can name it
    INTERCHANGE = "interchange"  # TA1 (TA105 note code)
    GROUP = "group"  # 999 AK9 (AK905 syntax error code)
    SET = "set"  # 999 IK5 (IK502 syntax error code)


class Severity(StrEnum):
    ERROR = "error"  # the envelope it belongs to is rejected
    WARNING = "warning"  # tolerated deviation, reported but accepted


# TA105 interchange note codes (X12 TA1).
TA1_CONTROL_NUMBER_MISMATCH = "001"
TA1_VERSION_NOT_SUPPORTED = "003"
TA1_INVALID_SEGMENT_TERMINATOR = "004"
TA1_INVALID_SENDER_ID = "006"
TA1_INVALID_RECEIVER_ID = "008"
TA1_INVALID_DATE = "014"
TA1_INVALID_TIME = "015"
TA1_INVALID_VERSION_ID = "017"
TA1_INVALID_CONTROL_NUMBER = "018"
TA1_INVALID_ACK_REQUESTED = "019"
TA1_INVALID_TEST_INDICATOR = "020"
TA1_INVALID_GROUP_COUNT = "021"
TA1_INVALID_CONTROL_STRUCTURE = "022"
TA1_PREMATURE_END_OF_FILE = "023"
TA1_INVALID_CONTENT = "024"
TA1_DUPLICATE_INTERCHANGE = "025"
TA1_INVALID_ELEMENT_SEPARATOR = "026"
TA1_INVALID_COMPONENT_SEPARATOR = "027"

# AK905 functional group syntax error codes (999 AK9).
AK9_GROUP_NOT_SUPPORTED = "1"
AK9_VERSION_NOT_SUPPORTED = "2"
AK9_TRAILER_MISSING = "3"
AK9_CONTROL_NUMBER_MISMATCH = "4"
AK9_SET_COUNT_MISMATCH = "5"
AK9_CONTROL_NUMBER_SYNTAX = "6"

# IK502 transaction set syntax error codes (999 IK5).
IK5_TRAILER_MISSING = "2"
IK5_CONTROL_NUMBER_MISMATCH = "3"
IK5_SEGMENT_COUNT_MISMATCH = "4"
IK5_SEGMENTS_IN_ERROR = "5"
IK5_INVALID_SET_ID = "6"
IK5_INVALID_CONTROL_NUMBER = "7"
IK5_NOT_IN_GROUP = "18"
IK5_CONTROL_NUMBER_NOT_UNIQUE = "23"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: ordinals count from 1 in file order; offsets are file byte offsets."""

    interchange: int | None = None
    group: int | None = None
    transaction_set: int | None = None
    segment_position: int | None = None  # segment ordinal in the file
    segment_id: str | None = None
    byte_offset: int | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """One envelope problem. `message` names fields and codes, never values."""

    kind: str  # stable machine name, e.g. "se01_count"
    level: Level
    code: str | None  # the TA105 / AK905 / IK502 code that reports it, per `level`
    message: str
    location: Location
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR
