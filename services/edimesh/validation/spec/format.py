"""The specification format: an X12 segment dictionary plus, per guide, a tree of loops.

Two layers, as the X12 standard itself is organised:

* The **dictionary** (``dictionary.py``) says what a segment *is* in version 005010: its
  elements in order, each with its data element number, type (ID, AN, N0-N2, R, DT, TM),
  minimum and maximum length and maximum repetitions; composites with their components;
  the standard's syntax notes (P paired, R at least one, C conditional, E exclusive,
  L list conditional); and which element tells the uses of a segment apart (its qualifier).
* A **guide** (``guides/*.py``) says how one implementation guide *uses* segments: loops, the
  segment that starts each loop, segment order, usage (R required, S situational, N not
  used), maximum use, and per element its usage and the code values the guide allows.

A guide is written with two constructors, ``loop`` and ``seg``; ``seg`` takes the element
usages as one line of tokens, one per element position from 01 (omitted trailing positions
are not used)::

    seg("NM1", "R", 1, "41", "R:41 R:1,2 R S S N N R:46 R")

Token grammar (whitespace separates tokens)::

    token  := usage [":" codes] ["{" token ("/" token)* "}"] ["=D"] ["x" count]
    usage  := "R" | "S" | "N"
    codes  := code ("," code)*        the values the guide allows (SNIP 2, IK403 7)
            | "@" NAME                 an external code set checked at SNIP 5
    {...}  := the components of a composite, in order
    =D     := a date expression whose format (D8, RD8, DT, ...) the previous element or
              component names: DTP03, DMG02, HI0n-4
    xN     := the same token repeated N times (HI02..HI12 say)

Intra-segment situational rules (SNIP 2) are short strings on the segment::

    "02=1 -> 04"     when NM102 is 1, NM104 is required
    "02=2 -> !04"    when NM102 is 2, NM104 must be absent
    "08 -> 09"       when 08 is present, 09 is required
    "!03 -> 04"      when 03 is absent, 04 is required

Loops nest as the guide's hierarchy does (2000A > 2000B > 2000C for an 837), so that a new
HL of a higher level closes the lower ones. The first node of every loop is the segment that
starts it; ``qualifiers`` on a segment (NM101 = 85, HL03 = 22, ...) tell apart segments of
the same id at the same place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

USAGES = frozenset("RSN")
TYPES = frozenset({"ID", "AN", "N0", "N1", "N2", "N3", "N4", "R", "DT", "TM", "B"})


@dataclass(frozen=True, slots=True)
class ElementDef:
    """One simple data element in the dictionary."""

    ref: int  # data element reference number (999 IK402)
    type: str
    min: int
    max: int
    repeat: int = 1  # maximum repetitions (repetition separator, 005010)


@dataclass(frozen=True, slots=True)
class CompositeDef:
    ref: str  # composite id, e.g. C003
    components: tuple[ElementDef, ...]
    repeat: int = 1


@dataclass(frozen=True, slots=True)
class SegmentDef:
    id: str
    name: str
    elements: tuple[ElementDef | CompositeDef, ...]
    syntax: tuple[str, ...] = ()  # X12 syntax notes: "P0809", "C1110", "R0203", "E0207", "L050607"
    qualifier: tuple[int, int] | None = None  # (element, component or 0) telling uses apart


@dataclass(frozen=True, slots=True)
class ElementUse:
    """How a guide uses one element (or component) position."""

    usage: str
    codes: frozenset[str] | None = None
    external: str | None = None  # name of an external code set (SNIP 5)
    components: tuple[ElementUse, ...] | None = None
    date_by_qualifier: bool = False

    @property
    def used(self) -> bool:
        return self.usage != "N"


NOT_USED = ElementUse("N")


@dataclass(frozen=True, slots=True)
class SegmentUse:
    """One segment position in a guide's loop."""

    id: str
    usage: str
    max_use: int  # 0: unbounded (">1" in the guide)
    qualifiers: frozenset[str] | None
    elements: tuple[ElementUse, ...]
    name: str  # unique within the loop, e.g. "NM1*85", "DTP*472", "CLM"
    rules: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LoopSpec:
    id: str
    name: str
    usage: str
    max_use: int  # 0: unbounded
    nodes: tuple[SegmentUse | LoopSpec, ...]

    @property
    def trigger(self) -> SegmentUse:
        first = self.nodes[0]
        if not isinstance(first, SegmentUse):
            raise TypeError(f"loop {self.id} must start with a segment")
        return first


@dataclass(frozen=True, slots=True)
class Guide:
    """One implementation guide: routing facts, a content kind and its loop tree."""

    id: str  # e.g. 005010X222A1
    st01: str
    functional_id: str  # GS01, e.g. HC
    kind: str  # content kind: 837P, 837I, 837D, 835, 270, 271
    name: str
    root: LoopSpec
    errata: tuple[str, ...] = field(default=())  # later ids of the same guide family

    @property
    def family(self) -> str:
        """``X222`` for 005010X222A1: the guide without its addenda."""
        m = re.match(r"\d{6}(X\d{3})", self.id)
        return m.group(1) if m else self.id


class SpecError(ValueError):
    """A guide or dictionary entry is malformed: a bug in the data, found at load time."""


_TOKEN = re.compile(
    r"(?P<usage>[RSN])(?::(?P<codes>[^{}=\sx][^{}=\s]*?))?(?:\{(?P<comps>[^{}]*)\})?"
    r"(?P<date>=D)?(?:x(?P<times>\d+))?$"
)


def parse_token(token: str) -> list[ElementUse]:
    m = _TOKEN.match(token)
    if not m:
        raise SpecError(f"bad element token {token!r}")
    codes: frozenset[str] | None = None
    external = None
    if m["codes"]:
        if m["codes"].startswith("@"):
            external = m["codes"][1:]
        else:
            codes = frozenset(m["codes"].split(","))
    comps = None
    if m["comps"] is not None:
        comps = tuple(u for part in m["comps"].split("/") for u in parse_token(part))
    use = ElementUse(m["usage"], codes, external, comps, bool(m["date"]))
    return [use] * int(m["times"] or 1)


def parse_elements(text: str) -> tuple[ElementUse, ...]:
    return tuple(u for token in text.split() for u in parse_token(token))


def _max(value: int | str) -> int:
    if value in (">1", 0):
        return 0
    if isinstance(value, int) and value > 0:
        return value
    raise SpecError(f"bad maximum use {value!r}")


def seg(
    segment_id: str,
    usage: str,
    max_use: int | str,
    qualifiers: str,
    elements: str,
    *,
    rules: tuple[str, ...] = (),
    name: str | None = None,
) -> SegmentUse:
    """A segment use. `qualifiers` is a comma list ("" when the position needs none)."""
    if usage not in USAGES:
        raise SpecError(f"{segment_id}: bad usage {usage!r}")
    quals = frozenset(qualifiers.split(",")) if qualifiers else None
    default_name = f"{segment_id}*{sorted(quals)[0]}" if quals else segment_id
    return SegmentUse(
        segment_id, usage, _max(max_use), quals, parse_elements(elements),
        name or default_name, rules,
    )


def loop(
    loop_id: str, name: str, usage: str, max_use: int | str, *nodes: SegmentUse | LoopSpec
) -> LoopSpec:
    if usage not in USAGES:
        raise SpecError(f"loop {loop_id}: bad usage {usage!r}")
    if not nodes or not isinstance(nodes[0], SegmentUse):
        raise SpecError(f"loop {loop_id} must start with a segment")
    return LoopSpec(loop_id, name, usage, _max(max_use), tuple(nodes))
