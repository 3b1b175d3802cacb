"""999 Implementation Acknowledgment, 005010X231A1.

AK1 answers one functional group; one 2000 loop (AK2 .. IK5) per acknowledged set, with a
2100 loop (IK3) per segment in error and a 2110 loop (IK4) per element in error; AK9 closes.
Checks the 999s the acknowledger builds (SNIP 1-2) and any 999 a partner sends
(content: ``Acknowledgment``, codes and counts only).

Two CTX uses share the 2100 loop and are told apart by CTX01-1: the segment context (its
name is the fixed text SITUATIONAL TRIGGER) and the business unit identifier (the name of
the element whose value it carries, CLM01 for a claim). The token grammar splits on spaces,
so those code lists are set on the parsed element uses.
"""

from __future__ import annotations

from dataclasses import replace

from edimesh.validation.spec.format import (
    ElementUse,
    Guide,
    LoopSpec,
    SegmentUse,
    SpecError,
    loop,
    seg,
)

GUIDE_ID = "005010X231A1"
IDS = "005010X231,005010X231A1"  # the base guide is accepted, as the other guides do
TRIGGER = "SITUATIONAL TRIGGER"
BUSINESS_UNITS = (
    "TRN02,NM109,PATIENT NAME NM109,SUBSCRIBER NAME NM109,ENT01,SUBSCRIBER NUMBER REF02,CLM01"
)
AK101 = "BE,HB,HC,HI,HN,HP,HR,HS,RA"
AK201 = "270,271,276,277,278,820,834,835,837"
IK304 = "1,2,3,4,5,6,7,8,I4,I6,I7,I8,I9"
IK403 = "1,2,3,4,5,6,7,8,9,10,11,12,13,I10,I11,I12,I13,I6,I9"
IK501 = "A,E,M,R,W,X"
IK502 = "1,2,3,4,5,6,7,8,9,10,11,12,13,15,16,17,18,19,23,24,25,26,27,I5,I6"
AK901 = "A,E,M,P,R,W,X"
AK905 = "1,2,3,4,5,6,10,11,12,13,14,15,16,17,18,19,23,24,25,26"
POSITION = "{R/S/S}"  # C030: element position, component position, repetition


def _context_name(use: SegmentUse, codes: str) -> SegmentUse:
    """`use` with CTX01-1 limited to `codes` (comma list; the codes may hold spaces)."""
    ctx01 = use.elements[0]
    if ctx01.components is None:
        raise SpecError("CTX01 must be a composite")
    name = replace(ctx01.components[0], codes=frozenset(codes.split(",")))
    first: ElementUse = replace(ctx01, components=(name, *ctx01.components[1:]))
    return replace(use, elements=(first, *use.elements[1:]))


def _situational_context(max_use: int, name: str) -> SegmentUse:
    """CTX naming the segment (and element) whose value triggered a situational rule."""
    use = seg("CTX", "S", max_use, TRIGGER, f"R{{R/N}} R R S S{POSITION} S{{R/N}}", name=name)
    return _context_name(use, TRIGGER)


def _business_unit() -> SegmentUse:
    use = seg("CTX", "S", 1, BUSINESS_UNITS, f"R{{R/R}} N N N S{POSITION} N",
              name="CTX*BUSINESS_UNIT")  # fmt: skip
    return _context_name(use, BUSINESS_UNITS)


def _element_note() -> LoopSpec:
    return loop(
        "2110", "Implementation Data Element Note", "S", ">1",
        seg("IK4", "R", 1, "", f"R{POSITION} S R:{IK403} S"),
        _situational_context(10, "CTX*ELEMENT"),
    )


def _segment_note() -> LoopSpec:
    return loop(
        "2100", "Error Identification", "S", ">1",
        seg("IK3", "R", 1, "", f"R R S R:{IK304}"),
        _situational_context(9, "CTX*SEGMENT"),
        _business_unit(),
        _element_note(),
    )


def build() -> Guide:
    root = loop(
        "ST", "Transaction Set", "R", 1,
        seg("ST", "R", 1, "", f"R:999 R R:{IDS}"),
        seg("AK1", "R", 1, "", f"R:{AK101} R R"),
        loop(
            "2000", "Transaction Set Response Header", "S", ">1",
            seg("AK2", "R", 1, "", f"R:{AK201} R S"),
            _segment_note(),
            seg("IK5", "R", 1, "", f"R:{IK501} S:{IK502}x5"),
        ),
        seg("AK9", "R", 1, "", f"R:{AK901} R R R S:{AK905}x5"),
        seg("SE", "R", 1, "", "R R"),
    )
    return Guide(GUIDE_ID, "999", "FA", "999", "999 Implementation Acknowledgment", root)
