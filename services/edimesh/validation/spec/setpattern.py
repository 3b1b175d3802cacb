"""One regular expression for a whole transaction set of a guide: the set-level fast path.

It is the guide's loop tree written as a pattern: each loop is its starting segment followed
by its positions in order, each a segment pattern (``fastpath.source``) or a child loop,
repeated up to its maximum use with possessive quantifiers (a segment has one place, so the
engine never backtracks into a loop it left). Situational rules become negative lookaheads
on their segment. A set that matches has no SNIP 1-2 finding except those the pattern cannot
see: HL numbering, date ranges (RD8 start after end); the fast walker checks those.

A position whose rules the pattern cannot express (component-level rules) never matches, so
sets that use it take the parser.
"""

from __future__ import annotations

import re

from edimesh.validation.spec.compiled import CLoop, CompiledGuide, CSeg
from edimesh.validation.spec.fastpath import source
from edimesh.validation.spec.situations import Rule


def _rule_lookahead(rule: Rule, sep: str, term: str) -> str | None:
    """A negative lookahead, placed after the segment id, that fails when `rule` is broken."""
    if rule.a[1] or rule.b[1]:
        return None
    field = f"[^{sep}{term}]*"

    def present(n: int) -> str:
        return f"(?:{sep}{field}){{{n - 1}}}{sep}[^{sep}{term}]"

    def equals(n: int, values: frozenset[str]) -> str:
        alternatives = "|".join(re.escape(v) for v in sorted(values))
        return f"(?:{sep}{field}){{{n - 1}}}{sep}(?:{alternatives})(?={sep}|{term})"

    a, b = rule.a[0], rule.b[0]
    if rule.a_absent:
        premise = f"(?!{present(a)})"
    elif rule.a_values is not None:
        premise = f"(?={equals(a, rule.a_values)})"
    else:
        premise = f"(?={present(a)})"
    broken = f"(?={present(b)})" if rule.b_absent else f"(?!{present(b)})"
    return f"(?!{premise}{broken})"


def _segment(node: CSeg, delims: tuple[str, str, str], segment: str, layout: str) -> str:
    element = re.escape(delims[0])
    term = re.escape(segment)
    body = source(node, *delims, segment)
    head = re.escape(node.id)
    checks = []
    for rule in node.rules:
        look = _rule_lookahead(rule, element, term)
        if look is None:
            return "(?!)"
        checks.append(look)
    return head + "".join(checks) + body[len(head):] + term + layout


def _loop(loop: CLoop, delims: tuple[str, str, str], segment: str, layout: str) -> str:
    parts = [_segment(loop.trigger, delims, segment, layout)]
    for node in loop.nodes[1:]:
        if isinstance(node, CSeg):
            body = _segment(node, delims, segment, layout)
            usage, limit = node.use.usage, node.use.max_use
        else:
            body = _loop(node, delims, segment, layout)
            usage, limit = node.spec.usage, node.spec.max_use
        low = 1 if usage == "R" else 0
        parts.append(f"(?:{body}){{{low},{limit or ''}}}+")
    return "".join(parts)


def set_pattern(guide: CompiledGuide, delims: tuple[str, str, str], segment: str
                ) -> re.Pattern[str]:
    """The compiled set pattern for these delimiters (built once, then cached)."""
    key = ("set", *delims, segment)
    cached = guide.tables.get(key)
    if isinstance(cached, re.Pattern):
        return cached
    layout = "[" + re.escape("".join(c for c in "\r\n " if c != segment)) + "]*"
    pattern = re.compile(layout + _loop(guide.root, delims, segment, layout))
    guide.tables[key] = pattern
    return pattern
