"""TA1 interchange acknowledgments: the ISA/TA1/IEA text that answers one received ISA.

    ta1 = build_ta1(header, note_code="025", status=Ta1Status.REJECTED,
                    control_number=ta1_control_number(f"{file_id}:{index}"), when=received_at)

Pure and deterministic: everything that varies (the TA1's own ISA13, its date and time) is an
argument, so the same inputs rebuild the same bytes. A replayed split therefore produces the
identical acknowledgment, and a partner never sees two different TA1s for one interchange.

The answer swaps the sender and receiver of the acknowledged ISA, keeps its delimiters, version
and usage indicator, and echoes ISA13, ISA09 and ISA10 in TA101..TA103 (X12 TA1 rules).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from edimesh.x12.events import InterchangeHeader

_DEFAULT_VERSION = "00501"
_REPETITION_FROM_VERSION = 501
_SPARE_REPETITION = "^!|\\{}"  # for a 00501+ answer when the original had no usable ISA11
_CONTROL_NUMBER_SPACE = 999_999_999


class Ta1Status(StrEnum):
    """TA104 interchange acknowledgment codes."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"  # header and trailer received; errors noted; do not resend
    REJECTED = "R"


@dataclass(frozen=True, slots=True)
class Ta1:
    """One TA1 interchange, as text in the acknowledged interchange's delimiters."""

    text: str
    control_number: str  # the TA1 interchange's own ISA13 / IEA02
    status: Ta1Status
    note_code: str


def ta1_control_number(seed: str) -> str:
    """A nine-digit control number (1..999999999) derived from `seed`.

    Deterministic on purpose: the splitter seeds it with the file id and the interchange's
    ordinal, so a re-run after a crash rebuilds the same TA1. Collisions with other TA1s to
    the same partner are possible (about one in a billion per pair) and harmless to X12
    readers, which use TA101, not the TA1's own ISA13, to match the answer.
    """
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return f"{int.from_bytes(digest[:8], 'big') % _CONTROL_NUMBER_SPACE + 1:09d}"


def build_ta1(
    header: InterchangeHeader,
    *,
    note_code: str,
    status: Ta1Status,
    control_number: str,
    when: datetime,
) -> Ta1:
    """The TA1 interchange answering `header` with TA104 `status` and TA105 `note_code`."""
    if not (control_number.isdigit() and len(control_number) == 9):
        raise ValueError("a TA1 control number is nine digits")
    if not (note_code.isdigit() and len(note_code) == 3):
        raise ValueError("a TA105 note code is three digits")
    d = header.delimiters
    element = d.element.decode("latin-1")
    component = d.component.decode("latin-1")
    segment = d.segment.decode("latin-1")
    reserved = {element, component, segment}
    if d.repetition is not None:
        reserved.add(d.repetition.decode("latin-1"))

    def clean(value: str) -> str:
        # An echoed value must not carry a delimiter: the answer has to parse.
        return "".join(c for c in value if c not in reserved)

    version = header.version if _is_version(header.version) else _DEFAULT_VERSION
    usage = header.usage if header.usage in ("P", "T") else "P"
    isa = [
        "ISA", "00", " " * 10, "00", " " * 10,
        clean(header.receiver_qualifier).ljust(2), clean(header.receiver_id).ljust(15),
        clean(header.sender_qualifier).ljust(2), clean(header.sender_id).ljust(15),
        f"{when:%y%m%d}", f"{when:%H%M}", _repetition(header, version, reserved),
        version, control_number, "0", usage, component,
    ]  # fmt: skip
    ta1 = ["TA1", clean(header.control_number), clean(header.date), clean(header.time),
           status.value, note_code]  # fmt: skip
    iea = ["IEA", "0", control_number]
    text = "".join(element.join(seg) + segment for seg in (isa, ta1, iea))
    return Ta1(text, control_number, status, note_code)


def _is_version(text: str) -> bool:
    return text.isdigit() and len(text) == 5


def _repetition(header: InterchangeHeader, version: str, reserved: set[str]) -> str:
    """ISA11: the original repetition separator, `U` before 00501, else an unused character."""
    if header.delimiters.repetition is not None:
        return header.delimiters.repetition.decode("latin-1")
    if int(version) < _REPETITION_FROM_VERSION:
        return "U"
    return next(c for c in _SPARE_REPETITION if c not in reserved)
