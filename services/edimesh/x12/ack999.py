"""999 implementation acknowledgments (005010X231A1): one ISA/GS/ST..SE/GE/IEA per group.

    ack = build_999(group, control_number="000000123", when=built_at)

Pure and deterministic: everything that varies (the 999's own control number, its date and
time) is an argument. The inputs carry codes and positions only; the one element value that
may appear is a CTX business unit identifier (for example CLM01), which belongs in the 999
the partner receives and never in telemetry.

Shape (005010X231A1): ISA/GS answer the acknowledged envelope with sender and receiver swapped
(GS01 FA, GS08 005010X231A1), delimiters `*` `:` `^` `~`; ST*999*0001; AK1 echoes GS01, GS06,
GS08; one AK2 loop per set result: IK3, its CTX business unit (CLM01 etc.), its IK4s (IK404 only
when the note carries a non-PHI copy), IK5; AK9; SE, GE, IEA. Values echoed from the partner
lose any delimiter character, so the answer always parses.

Repeat limits: IK502..IK506 and AK905..AK909 take five codes, the CTX business unit one value
of at most 35 characters. The guide leaves the IK3 and IK4 loops unbounded; we keep at most
MAX_IK3 per set and MAX_IK4 per IK3 so one broken set cannot make a 999 of megabytes.
Segment-context CTX (situational triggers) is not sent: the findings do not name the trigger.

AK901: A every received set accepted without notes; E all accepted, some with errors or with
group-level AK905 codes; P some accepted; R none. A timed-out group (not every result came) is
never A or E: the sets without a result count as received and not accepted (AK903 > AK904),
so the partner hears P or R instead of silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ElementNote:
    """One IK4: a bad element of an IK3 segment."""

    position: int  # IK401-1
    component: int | None  # IK401-2
    repetition: int | None  # IK401-3
    data_element: int | None  # IK402
    code: str  # IK403
    copy: str | None = None  # IK404: only ever a non-PHI value (a code), else None


@dataclass(frozen=True, slots=True)
class SegmentNote:
    """One IK3 (and its CTX and IK4s): a segment in error."""

    segment_id: str  # IK301
    position: int  # IK302, ST = 1
    loop_id: str | None  # IK303
    code: str  # IK304
    business_unit: tuple[str, str] | None = None  # CTX01: (e.g. "CLM01", its value)
    elements: tuple[ElementNote, ...] = ()


@dataclass(frozen=True, slots=True)
class SetAck:
    """One AK2 loop: a transaction set's result."""

    st01: str
    st02: str
    st03: str | None  # AK203 falls back to the group's GS08 when None
    status: str  # IK501: A, E, M, R, W or X
    ik502: tuple[str, ...] = ()  # up to five IK502..IK506 codes
    segments: tuple[SegmentNote, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupAck:
    """What a 999 answers: the group's envelope, its set results, group-level findings."""

    # The acknowledged ISA (the 999 swaps sender and receiver).
    isa05: str
    isa06: str
    isa07: str
    isa08: str
    isa12: str
    isa15: str
    # The acknowledged GS (AK1 echoes GS01, GS06, GS08; the 999's GS swaps GS02 and GS03).
    gs01: str
    gs02: str
    gs03: str
    gs06: str
    gs08: str
    declared_count: int | None  # GE01, None when GE was missing
    sets: tuple[SetAck, ...]  # the results in, in ST02 order
    received_count: int  # sets received in the group (AK903), emitted or not
    ak905: tuple[str, ...] = ()  # group-level syntax error codes (AK905..AK909)
    timed_out: bool = False  # not every set's result arrived in time


@dataclass(frozen=True, slots=True)
class Ack999:
    """The built 999 interchange."""

    text: str
    control_number: str  # the 999's own ISA13 (GS06 and ST02 derive from it)
    status: str  # AK901: A, E, P, R (M, W, X unused here)
    accepted_count: int  # AK904


GUIDE = "005010X231A1"
VERSION = "00501"
ELEMENT, COMPONENT, REPETITION, SEGMENT = "*", ":", "^", "~"
ST02 = "0001"
MAX_CODES = 5  # IK502..IK506, AK905..AK909
MAX_IK3 = 999  # per AK2 loop (our bound; the guide's loop is unbounded)
MAX_LOOP_ID = 4  # IK303, data element 447: AN 1/4
MAX_IK4 = 99  # per IK3 loop (our bound; the guide's loop is unbounded)
MAX_BUSINESS_UNIT = 35  # CTX01-2
ACCEPTED = frozenset({"A", "E"})
_RESERVED = str.maketrans("", "", ELEMENT + COMPONENT + REPETITION + SEGMENT + "\r\n")


def clean(value: str) -> str:
    """An echoed value without delimiter characters: the answer must parse."""
    return value.translate(_RESERVED)


def group_status(group: GroupAck) -> tuple[str, int]:
    """(AK901, AK904) of `group`: see the module doc."""
    accepted = sum(1 for s in group.sets if s.status in ACCEPTED)
    received = max(group.received_count, len(group.sets))
    if group.timed_out or accepted < received:
        return ("P" if accepted else "R"), accepted
    if received == 0:
        return ("R" if group.ak905 else "A"), accepted
    noted = group.ak905 or any(s.status != "A" for s in group.sets)
    return ("E" if noted else "A"), accepted


def build_999(group: GroupAck, *, control_number: str, when: datetime) -> Ack999:
    """The 999 interchange answering `group`."""
    if not (control_number.isdigit() and len(control_number) == 9 and int(control_number)):
        raise ValueError("a 999 control number is nine digits, not all zero")
    gs06 = str(int(control_number))
    usage = group.isa15 if group.isa15 in ("P", "T") else "P"
    isa = ["ISA", "00", " " * 10, "00", " " * 10,
           _fixed(group.isa07, 2), _fixed(group.isa08, 15),
           _fixed(group.isa05, 2), _fixed(group.isa06, 15),
           f"{when:%y%m%d}", f"{when:%H%M}", REPETITION, VERSION, control_number, "0", usage,
           COMPONENT]  # fmt: skip
    gs = ["GS", "FA", clean(group.gs03)[:15], clean(group.gs02)[:15], f"{when:%Y%m%d}",
          f"{when:%H%M}", gs06, "X", GUIDE]  # fmt: skip
    body: list[list[str]] = [
        ["ST", "999", ST02, GUIDE],
        ["AK1", clean(group.gs01), clean(group.gs06), clean(group.gs08)],
    ]
    for set_ack in group.sets:
        body += _set_loop(set_ack, group.gs08)
    status, accepted = group_status(group)
    received = max(group.received_count, len(group.sets))
    included = group.declared_count if group.declared_count is not None else received
    body.append(["AK9", status, str(included), str(received), str(accepted),
                 *[clean(c) for c in group.ak905[:MAX_CODES]]])  # fmt: skip
    body.append(["SE", str(len(body) + 1), ST02])
    segments = [isa, gs, *body, ["GE", "1", gs06], ["IEA", "1", control_number]]
    text = "".join(ELEMENT.join(_trim(seg)) + SEGMENT for seg in segments)
    return Ack999(text, control_number, status, accepted)


def _set_loop(set_ack: SetAck, gs08: str) -> list[list[str]]:
    out = [["AK2", clean(set_ack.st01), clean(set_ack.st02), clean(set_ack.st03 or gs08)]]
    for note in set_ack.segments[:MAX_IK3]:
        # IK303 (element 447) holds at most 4 characters: 2010BA is reported as 2010.
        loop = clean(note.loop_id or "")[:MAX_LOOP_ID]
        out.append(["IK3", clean(note.segment_id), str(note.position), loop, clean(note.code)])
        if note.business_unit is not None:
            name, value = clean(note.business_unit[0]), clean(note.business_unit[1])
            if name and value:
                out.append(["CTX", f"{name}{COMPONENT}{value[:MAX_BUSINESS_UNIT]}"])
        out.extend(_ik4(element) for element in note.elements[:MAX_IK4])
    out.append(["IK5", clean(set_ack.status), *[clean(c) for c in set_ack.ik502[:MAX_CODES]]])
    return out


def _ik4(note: ElementNote) -> list[str]:
    position = [str(note.position),
                "" if note.component is None else str(note.component),
                "" if note.repetition is None else str(note.repetition)]  # fmt: skip
    data_element = "" if note.data_element is None else str(note.data_element)
    copy = clean(note.copy) if note.copy is not None else ""
    return ["IK4", COMPONENT.join(_trim(position)), data_element, clean(note.code), copy]


def _fixed(value: str, width: int) -> str:
    return clean(value)[:width].ljust(width)


def _trim(elements: list[str]) -> list[str]:
    """Without trailing empty elements (X12 drops them, separators included)."""
    end = len(elements)
    while end > 1 and elements[end - 1] == "":
        end -= 1
    return elements[:end]
