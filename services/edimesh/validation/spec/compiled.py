"""A guide compiled for the parser: node tables, qualifier lookups and situational rules.

Compiling is done once per guide (see ``routing.py``). The parser then needs a dict lookup per
segment to place it, and the element checks know everything about a position without
consulting the guide again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from edimesh.validation.spec.dictionary import SEGMENTS
from edimesh.validation.spec.format import (
    NOT_USED,
    CompositeDef,
    ElementDef,
    ElementUse,
    Guide,
    LoopSpec,
    SegmentDef,
    SegmentUse,
    SpecError,
)
from edimesh.validation.spec.situations import Rule, guide_rule, syntax_rules


def _use_at(uses: tuple[ElementUse, ...], pos: tuple[int, int]) -> ElementUse:
    el, comp = pos
    use = uses[el - 1] if el <= len(uses) else NOT_USED
    if comp and use.components is not None:
        return use.components[comp - 1] if comp <= len(use.components) else NOT_USED
    return use


def _implied(rule: Rule, uses: tuple[ElementUse, ...]) -> bool:
    """True when the usages alone guarantee the rule (so the fast path needs no check)."""
    a, b = _use_at(uses, rule.a), _use_at(uses, rule.b)
    if rule.a_absent:
        return a.usage == "R" or (not rule.b_absent and b.usage == "R")
    if a.usage == "N":
        return True
    if rule.a_values is not None and a.codes is not None and not (a.codes & rule.a_values):
        return True
    return b.usage == "N" if rule.b_absent else b.usage == "R"


# A situational rule as the fast paths test it: (A element, A component or 0, A absent,
# A values or None, B element, B component or 0, B absent).
RuleRow = tuple[int, int, bool, frozenset[str] | None, int, int, bool]


def rules_hold(rows: tuple[RuleRow, ...], els: list[str], comp: str) -> bool:
    """Do all rules hold? Only yes or no: ``elements.py`` says which rule broke and where."""
    n = len(els)
    for a, a_comp, a_absent, values, b, b_comp, b_absent in rows:
        av = els[a] if a < n else ""
        if a_comp and av:
            av = _component(av, comp, a_comp)
        if a_absent:
            if av:
                continue
        elif not av or (values is not None and av not in values):
            continue
        bv = els[b] if b < n else ""
        if b_comp and bv:
            bv = _component(bv, comp, b_comp)
        if bool(bv) == b_absent:  # B present where it must be absent, or the reverse
            return False
    return True


def _component(value: str, comp: str, n: int) -> str:
    parts = value.split(comp)
    return parts[n - 1] if n <= len(parts) else ""


# Segments whose procedure or diagnosis codes SNIP 5 checks with their qualifiers.
CODED_SEGMENTS: Final = frozenset({"HI", "SV1", "SV2", "SV3", "SVC", "SVD"})
WHOLE_IN_PATTERN: Final = frozenset({"D8", "DT", "TM", ""})  # checked entirely by the fast path


@dataclass(slots=True, eq=False)
class CSeg:
    """A compiled segment position."""

    use: SegmentUse
    definition: SegmentDef
    loop_id: str
    rules: tuple[Rule, ...]  # rules the usages do not already guarantee
    date_pairs: tuple[tuple[int, int, int], ...]  # (qualifier element, value element, component)
    externals: tuple[tuple[int, int, str], ...]  # (element, component or 0, code set name)
    rule_rows: tuple[RuleRow, ...] = ()  # `rules` as rows for ``rules_hold``
    coded: bool = False  # has code-set (SNIP 5) checks: the parser sets it aside
    fast: dict[tuple[str, str, str], re.Pattern[str]] = field(default_factory=dict)
    id: str = ""  # the segment id and position name, copied from `use` for speed
    name: str = ""

    def __post_init__(self) -> None:
        self.id = self.use.id
        self.name = self.use.name

    def range_check(self, els: list[str], component: str) -> bool:
        """After a fast match, does a date pair still need Python (a range, a composite)?"""
        for a, _, comp in self.date_pairs:
            if comp or (a < len(els) and els[a] not in WHOLE_IN_PATTERN):
                return True
        return False



@dataclass(slots=True, eq=False)
class CLoop:
    spec: LoopSpec
    nodes: list[CSeg | CLoop]
    trigger: CSeg
    # segment id -> (node index, node) for every position after the trigger, child loops by
    # their trigger's id; in guide order.
    by_id: dict[str, tuple[tuple[int, CSeg | CLoop], ...]]
    required: tuple[int, ...]  # indexes of required nodes after the trigger
    cache: dict[tuple[int, str, str], int] = field(default_factory=dict)
    id: str = ""  # copied from `spec` for speed

    def __post_init__(self) -> None:
        self.id = self.spec.id


def _date_pairs(uses: tuple[ElementUse, ...]) -> tuple[tuple[int, int, int], ...]:
    pairs = []
    for i, use in enumerate(uses, 1):
        if use.date_by_qualifier:
            pairs.append((i - 1, i, 0))
        for j, comp in enumerate(use.components or (), 1):
            if comp.date_by_qualifier:
                pairs.append((i, j, j - 1))  # within element i: component j-1 names j
    return tuple(pairs)


def _externals(uses: tuple[ElementUse, ...]) -> tuple[tuple[int, int, str], ...]:
    out = []
    for i, use in enumerate(uses, 1):
        if use.external:
            out.append((i, 0, use.external))
        for j, comp in enumerate(use.components or (), 1):
            if comp.external:
                out.append((i, j, comp.external))
    return tuple(out)


def compile_segment(use: SegmentUse, loop_id: str) -> CSeg:
    definition = SEGMENTS.get(use.id)
    if definition is None:
        raise SpecError(f"{use.id} is not in the dictionary")
    if use.qualifiers is not None and definition.qualifier is None:
        raise SpecError(f"{loop_id} {use.name}: {use.id} has no qualifier in the dictionary")
    if len(use.elements) > len(definition.elements):
        raise SpecError(f"{loop_id} {use.name}: more element usages than {use.id} has")
    for i, (u, d) in enumerate(zip(use.elements, definition.elements, strict=False), 1):
        if u.components is not None and not isinstance(d, CompositeDef):
            raise SpecError(f"{loop_id} {use.name}{i:02d} is not a composite")
        if isinstance(d, CompositeDef) and u.components and len(u.components) > len(d.components):
            raise SpecError(f"{loop_id} {use.name}{i:02d}: too many components")
    rules = [r for note in definition.syntax for r in syntax_rules(note)]
    seen = {(r.a, r.a_absent, r.a_values, r.b, r.b_absent) for r in rules}
    rules += [r for r in map(guide_rule, use.rules)
              if (r.a, r.a_absent, r.a_values, r.b, r.b_absent) not in seen]  # X12's note wins
    kept = tuple(r for r in rules if not _implied(r, use.elements))
    externals = _externals(use.elements)
    rows = tuple((r.a[0], r.a[1], r.a_absent, r.a_values, r.b[0], r.b[1], r.b_absent)
                 for r in kept)
    return CSeg(use, definition, loop_id, kept, _date_pairs(use.elements), externals,
                rows, bool(externals) or use.id in CODED_SEGMENTS)


def compile_loop(spec: LoopSpec, seen: dict[int, CLoop] | None = None) -> CLoop:
    seen = {} if seen is None else seen
    if id(spec) in seen:  # a loop used in two places (2300 under 2000B and 2000C)
        return seen[id(spec)]
    nodes: list[CSeg | CLoop] = [
        compile_segment(n, spec.id) if isinstance(n, SegmentUse) else compile_loop(n, seen)
        for n in spec.nodes
    ]
    trigger = nodes[0]
    if not isinstance(trigger, CSeg):
        raise SpecError(f"loop {spec.id} must start with a segment")
    by_id: dict[str, list[tuple[int, CSeg | CLoop]]] = {}
    for i, compiled_node in enumerate(nodes[1:], 1):
        key = compiled_node.id if isinstance(compiled_node, CSeg) else compiled_node.trigger.id
        by_id.setdefault(key, []).append((i, compiled_node))
    required = tuple(
        i for i, c in enumerate(nodes[1:], 1)
        if (c.use.usage if isinstance(c, CSeg) else c.spec.usage) == "R"
    )
    compiled = CLoop(spec, nodes, trigger, {k: tuple(v) for k, v in by_id.items()}, required)
    seen[id(spec)] = compiled
    return compiled


@dataclass(slots=True, eq=False)
class CompiledGuide:
    guide: Guide
    root: CLoop
    qualifiers: dict[str, tuple[int, int]]  # segment id -> qualifier position
    tables: dict[tuple[str, ...], object] = field(default_factory=dict)  # per delimiters

    @property
    def id(self) -> str:
        return self.guide.id


def compile_guide(guide: Guide) -> CompiledGuide:
    quals = {k: d.qualifier for k, d in SEGMENTS.items() if d.qualifier is not None}
    return CompiledGuide(guide, compile_loop(guide.root), quals)


def element_def(definition: SegmentDef, n: int) -> ElementDef | CompositeDef | None:
    return definition.elements[n - 1] if 0 < n <= len(definition.elements) else None
