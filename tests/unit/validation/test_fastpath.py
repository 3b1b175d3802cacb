"""The fast path never accepts a segment the diagnostic checks would fault.

Valid segments of every supported guide are mutated at random (a character changed, an
element dropped or added); whenever the segment's pattern still matches, the diagnostic
checks must find nothing in it.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from edimesh.validation.elements import ElementChecker
from edimesh.validation.parser import Parser, split_segments
from edimesh.validation.spec.compiled import rules_hold
from edimesh.validation.spec.routing import route
from edimesh.validation.tree import Seg
from edimesh.x12.synth import SynthOptions, generate_837p

from . import samples
from .helpers import units_of

D = ("*", ":", "^")


def _placed(segments: list[str], st03: str) -> list[tuple[Seg, str]]:
    guide = route(segments[0].split("*")[1], st03, "")
    assert guide is not None
    parser = Parser(guide, *D)
    root = parser.parse(segments)
    return [(s, "*".join(s[1])) for loop in root.walk() for s in loop.segs]


def _all_placed() -> list[tuple[Seg, str]]:
    unit = units_of(generate_837p(SynthOptions(claims=30, claims_per_set=30, seed=7)))[0]
    assert unit.raw is not None
    out = _placed(split_segments(unit.raw, "*", "~"), "005010X222A1")
    for name, st03 in (("REMIT_835", "005010X221A1"), ("INSTITUTIONAL_837", "005010X223A2"),
                       ("DENTAL_837", "005010X224A2"), ("INQUIRY_270", "005010X279A1"),
                       ("RESPONSE_271", "005010X279A1")):
        out += _placed(getattr(samples, name), st03)
    return out


PLACED = _all_placed()
ALPHABET = "0123456789AZaz .-*:^~#\x01\xe9"


@settings(max_examples=600, deadline=None)
@given(st.integers(0, len(PLACED) - 1), st.integers(0, 500), st.sampled_from(ALPHABET),
       st.sampled_from(["replace", "insert", "delete", "drop-tail", "add-element"]))
def test_fast_match_implies_no_diagnostic_finding(k: int, at: int, ch: str, how: str) -> None:
    (node, _, position), text = PLACED[k]
    i = at % (len(text) + 1)
    if how == "replace" and i < len(text):
        text = text[:i] + ch + text[i + 1:]
    elif how == "insert":
        text = text[:i] + ch + text[i:]
    elif how == "delete" and i < len(text):
        text = text[:i] + text[i + 1:]
    elif how == "drop-tail":
        text = "*".join(text.split("*")[: max(1, i % 12)])
    elif how == "add-element":
        text = text + "*" + ch
    if node.fast[("*", ":", "^")].fullmatch(text) is None:
        return
    els = text.split("*")
    if node.rule_rows and not rules_hold(node.rule_rows, els, ":"):
        return  # the parser runs the rule diagnostics then
    checker = ElementChecker(*D)
    if node.date_pairs and node.range_check(els, ":"):
        checker.dates(node, els, position)
        if checker.out:
            return  # reported by the date check the parser runs after a match
    found = checker.check(node, els, position)
    assert found == [], (text, [(f.rule, f.element_ref) for f in found])
