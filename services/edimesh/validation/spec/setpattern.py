"""One regular expression for a whole transaction set of a guide: the set-level fast path.

It is the guide's loop tree written as a pattern: each loop is its starting segment followed
by its positions in order, each a segment pattern (``fastpath.source``) or a child loop,
repeated up to its maximum use with possessive quantifiers (a segment has one place, so the
engine never backtracks into a loop it left). A set that matches has no SNIP 1-2 finding
except those the pattern leaves out: situational rules, HL numbering and date ranges (RD8
start after end). The fast walker (``trusted.py``) checks those; situational rules as
lookaheads rescanned their segment, a third of the pattern's time.
"""

from __future__ import annotations

import re

from edimesh.validation.spec.compiled import CLoop, CompiledGuide, CSeg
from edimesh.validation.spec.fastpath import source


def _segment(node: CSeg, delims: tuple[str, str, str], segment: str, layout: str) -> str:
    return source(node, *delims, segment) + re.escape(segment) + layout


def _loop(loop: CLoop, delims: tuple[str, str, str], segment: str, layout: str,
          guards: bool = True) -> str:
    parts = [_segment(loop.trigger, delims, segment, layout)]
    run: list[tuple[str, str]] = []  # optional positions since the last required one
    for node in loop.nodes[1:]:
        if isinstance(node, CSeg):
            body = _segment(node, delims, segment, layout)
            usage, limit, seg_id = node.use.usage, node.use.max_use, node.id
        else:
            body = _loop(node, delims, segment, layout, guards)
            usage, limit, seg_id = node.spec.usage, node.spec.max_use, node.trigger.id
        low = 1 if usage == "R" else 0
        item = f"(?:{body}){{{low},{limit or ''}}}+"
        if low:
            parts.append(_guarded(run) if guards else "".join(item for _, item in run))
            run = []
            parts.append(item)
        else:
            run.append((seg_id, item))
    parts.append(_guarded(run) if guards else "".join(item for _, item in run))
    return "".join(parts)


def _guarded(run: list[tuple[str, str]]) -> str:
    """A run of optional positions, with lookaheads that skip it at once when absent.

    Every position starts with its segment id, so when the next segment's id (or its first
    letter) starts none of them, each would match nothing: a lookahead that fails skips
    them all instead of trying each in turn (most optional positions are absent, and trying
    them was most of the pattern's time). The guarded group is possessive and each position
    in it can match nothing, so the pattern accepts exactly what it did without guards.
    """
    groups: list[tuple[str, list[str]]] = []
    for seg_id, item in run:
        if groups and groups[-1][0] == seg_id:
            groups[-1][1].append(item)
        else:
            groups.append((seg_id, [item]))
    out = []
    for seg_id, items in groups:
        body = "".join(items)
        out.append(f"(?:(?={re.escape(seg_id)}){body})?+" if len(items) > 1 else body)
    if len(groups) < 2:
        return "".join(out)
    first = "".join(sorted({re.escape(seg_id[0]) for seg_id, _ in groups}))
    return f"(?:(?=[{first}]){''.join(out)})?+"


def set_pattern(guide: CompiledGuide, delims: tuple[str, str, str], segment: str, *,
                guards: bool = True) -> re.Pattern[str]:
    """The compiled set pattern for these delimiters (built once, then cached).

    `guards=False` leaves out the lookaheads that skip absent positions (``_guarded``):
    the same language, slower; tests compare the two.
    """
    key = ("set" if guards else "set-unguarded", *delims, segment)
    cached = guide.tables.get(key)
    if isinstance(cached, re.Pattern):
        return cached
    layout = "[" + re.escape("".join(c for c in "\r\n " if c != segment)) + "]*"
    pattern = re.compile(layout + _loop(guide.root, delims, segment, layout, guards))
    guide.tables[key] = pattern
    return pattern
