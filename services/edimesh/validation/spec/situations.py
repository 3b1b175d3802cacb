"""Situational rules: X12 syntax notes (SNIP 1) and the guides' intra-segment rules (SNIP 2).

Both become the same ``Rule``: "if A is present [with one of these values] (or absent), then
B is required (or must be absent)". See ``format.py`` for the guide rule syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edimesh.validation.spec.format import SpecError

_RULE = re.compile(r"(!?)(\d\d)(?:-(\d))?(?:=([\w,]+))?\s*->\s*(!?)(\d\d)(?:-(\d))?$")


@dataclass(frozen=True, slots=True)
class Rule:
    """``if A [= values] then B [absent]``; positions are (element, component or 0)."""

    text: str
    a: tuple[int, int]
    a_absent: bool
    a_values: frozenset[str] | None
    b: tuple[int, int]
    b_absent: bool
    kind: str  # "syntax" (X12 standard note, SNIP 1) or "situational" (guide, SNIP 2)


def syntax_rules(note: str) -> list[Rule]:
    """X12 syntax notes as rules: P (paired), C (conditional), R (one of), E, L."""
    kind, digits = note[0], note[1:]
    pos = [(int(digits[i : i + 2]), 0) for i in range(0, len(digits), 2)]
    rules: list[Rule] = []
    if kind == "P":
        for a in pos:
            rules += [Rule(note, a, False, None, b, False, "syntax") for b in pos if b != a]
    elif kind == "C":
        rules += [Rule(note, pos[0], False, None, b, False, "syntax") for b in pos[1:]]
    elif kind == "L":
        # if the first is present, at least one of the others: approximated as "the second"
        # only when there are two; longer lists are checked by `one_of` below.
        rules.append(Rule(note, pos[0], False, None, pos[1], False, "syntax"))
    elif kind == "E":
        rules += [Rule(note, a, False, None, b, True, "syntax") for a in pos for b in pos if a < b]
    elif kind == "R" and len(pos) == 2:
        # at least one of the two: "if the first is absent, the second is required"
        rules.append(Rule(note, pos[0], True, None, pos[1], False, "syntax"))
    return rules


def guide_rule(text: str) -> Rule:
    m = _RULE.match(text.strip())
    if not m:
        raise SpecError(f"bad situational rule {text!r}")
    values = frozenset(m[4].split(",")) if m[4] else None
    return Rule(
        text, (int(m[2]), int(m[3] or 0)), bool(m[1]), values,
        (int(m[6]), int(m[7] or 0)), bool(m[5]), "situational",
    )
