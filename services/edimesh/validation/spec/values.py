"""Value checks for X12 data element types, shared by the fast and the diagnostic paths.

Each check returns None when the value is good, else the 999 IK403 code that reports it.
Dates must exist (20230229 does not); times must be times of day.
"""

from __future__ import annotations

import re
from typing import Final

from edimesh.validation import findings as f

DATE8: Final = (
    r"(?:\d{4}(?:(?:0[13578]|1[02])(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)(?:0[1-9]|[12]\d|30)"
    r"|02(?:0[1-9]|1\d|2[0-8]))|(?:\d\d(?:0[48]|[2468][048]|[13579][26])"
    r"|(?:[02468][048]|[13579][26])00)0229)"
)
TIME: Final = r"(?:(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d(?:\d{1,2})?)?)"
_DATE8: Final = re.compile(DATE8 + r"\Z")
_TIME: Final = re.compile(TIME + r"\Z")
_NUMBER: Final = re.compile(r"-?\d+\Z")
_DECIMAL: Final = re.compile(r"-?(?:\d+\.?\d*|\.\d+)\Z")
PRINTABLE: Final = frozenset(chr(c) for c in range(0x20, 0x7F))

# Date expressions named by a date/time period format qualifier (DTP02, DMG01, C022-03).
DATE_FORMATS: Final[dict[str, re.Pattern[str]]] = {
    "D8": _DATE8,
    "RD8": re.compile(rf"({DATE8})-({DATE8})\Z"),
    "DT": re.compile(rf"{DATE8}(?:[01]\d|2[0-3])[0-5]\d\Z"),
    "TM": re.compile(r"(?:[01]\d|2[0-3])[0-5]\d\Z"),
    "D6": re.compile(r"\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\Z"),
    "RD6": re.compile(r"\d{6}-\d{6}\Z"),
}


def is_date8(value: str) -> bool:
    return _DATE8.match(value) is not None


def check_type(kind: str, lo: int, hi: int, value: str, delimiters: frozenset[str]) -> str | None:
    """The IK403 code for `value` against data type `kind` and lengths, or None."""
    if kind in ("AN", "ID"):
        for ch in value:
            if ch not in PRINTABLE or ch in delimiters:
                return f.IK4_INVALID_CHARACTER
        n = len(value)
    elif kind == "R":
        if _DECIMAL.match(value) is None:
            return f.IK4_INVALID_CHARACTER
        n = sum(ch.isdigit() for ch in value)
    elif kind[0] == "N":
        if _NUMBER.match(value) is None:
            return f.IK4_INVALID_CHARACTER
        n = len(value.lstrip("-"))
    elif kind == "DT":
        if not value.isdigit() or len(value) != 8:
            return f.IK4_INVALID_DATE
        return None if _DATE8.match(value) else f.IK4_INVALID_DATE
    elif kind == "TM":
        if not (lo <= len(value) <= hi) or _TIME.match(value) is None:
            return f.IK4_INVALID_TIME
        return None
    else:
        n = len(value)
    if n < lo:
        return f.IK4_TOO_SHORT
    if n > hi:
        return f.IK4_TOO_LONG
    return None


def check_date_expression(fmt: str, value: str) -> str | None:
    """A date expression against its format qualifier: None when good, else IK403 8."""
    pattern = DATE_FORMATS.get(fmt)
    if pattern is None:
        return None  # an unknown qualifier is reported on the qualifier element itself
    m = pattern.match(value)
    if m is None:
        return f.IK4_INVALID_DATE
    if fmt == "RD8" and m.group(1) > m.group(2):
        return f.IK4_INVALID_DATE
    return None
