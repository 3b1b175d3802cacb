"""Syntax checks of ISA and GS header elements. Each returns problems, never values."""

from __future__ import annotations

from datetime import date

from edimesh.x12 import problems as p
from edimesh.x12.problems import Level, Location, Problem, Severity

ERROR = Severity.ERROR


def _valid_date(text: str, century: bool) -> bool:
    if not text.isdigit() or len(text) != (8 if century else 6):
        return False
    year = int(text[:-4]) if century else 2000 + int(text[:2])
    try:
        date(year, int(text[-4:-2]), int(text[-2:]))
    except ValueError:
        return False
    return True


def _valid_time(text: str) -> bool:
    if not text.isdigit() or len(text) not in (4, 6, 7, 8):
        return False
    hh, mm = int(text[0:2]), int(text[2:4])
    ss = int(text[4:6]) if len(text) >= 6 else 0
    return hh < 24 and mm < 60 and ss < 60


def check_isa(elements: tuple[str, ...], where: Location) -> list[Problem]:
    """ISA06/08 present, ISA09 date, ISA10 time, ISA12 version, ISA13..ISA15 syntax."""
    found: list[Problem] = []

    def bad(kind: str, code: str, message: str) -> None:
        found.append(Problem(kind, Level.INTERCHANGE, code, message, where))

    if not elements[5].strip():
        bad("isa06_missing", p.TA1_INVALID_SENDER_ID, "ISA06 interchange sender id is blank")
    if not elements[7].strip():
        bad("isa08_missing", p.TA1_INVALID_RECEIVER_ID, "ISA08 interchange receiver id is blank")
    if not _valid_date(elements[8], century=False):
        bad("isa09_date", p.TA1_INVALID_DATE, "ISA09 is not a valid YYMMDD date")
    if not _valid_time(elements[9]) or len(elements[9]) != 4:
        bad("isa10_time", p.TA1_INVALID_TIME, "ISA10 is not a valid HHMM time")
    if not (elements[11].isdigit() and len(elements[11]) == 5):
        bad("isa12_version", p.TA1_INVALID_VERSION_ID, "ISA12 is not a five-digit version")
    if not (elements[12].isdigit() and len(elements[12]) == 9):
        bad("isa13_syntax", p.TA1_INVALID_CONTROL_NUMBER, "ISA13 is not nine digits")
    if elements[13] not in ("0", "1"):
        bad("isa14_value", p.TA1_INVALID_ACK_REQUESTED, "ISA14 must be 0 or 1")
    if elements[14] not in ("P", "T"):
        bad("isa15_value", p.TA1_INVALID_TEST_INDICATOR, "ISA15 must be P or T")
    return found


def check_gs(elements: tuple[str, ...], where: Location) -> list[Problem]:
    """GS01 present, GS04 date, GS05 time, GS06 control number syntax, GS08 present."""
    found: list[Problem] = []

    def bad(kind: str, code: str | None, message: str, severity: Severity = ERROR) -> None:
        found.append(Problem(kind, Level.GROUP, code, message, where, severity))

    def element(n: int) -> str:
        return elements[n - 1].strip() if len(elements) >= n else ""

    if not element(1):
        bad("gs01_missing", p.AK9_GROUP_NOT_SUPPORTED, "GS01 functional identifier is missing")
    if not _valid_date(element(4), century=True):
        # AK905 has no code for a bad GS date or time: report it without rejecting the group.
        bad("gs04_date", None, "GS04 is not a valid CCYYMMDD date", Severity.WARNING)
    if not _valid_time(element(5)):
        bad("gs05_time", None, "GS05 is not a valid time", Severity.WARNING)
    gs06 = element(6)
    if not (gs06.isdigit() and 1 <= len(gs06) <= 9):
        bad("gs06_syntax", p.AK9_CONTROL_NUMBER_SYNTAX, "GS06 is not a number of 1 to 9 digits")
    if not element(8):
        bad("gs08_missing", p.AK9_VERSION_NOT_SUPPORTED, "GS08 version is missing")
    return found
