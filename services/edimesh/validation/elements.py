"""The diagnostic element checks (SNIP 1-2): what exactly is wrong in a segment, and where.

Run only for segments that failed the fast path (``spec/fastpath.py``), so clarity beats
speed here. Every finding names the element (``CLM05-1``, ``EB03[2]``), never its value.
"""

from __future__ import annotations

from typing import Final

from edimesh.validation import findings as f
from edimesh.validation.findings import Finding, Severity, Snip
from edimesh.validation.spec.compiled import CSeg
from edimesh.validation.spec.format import NOT_USED, CompositeDef, ElementDef, ElementUse
from edimesh.validation.spec.situations import Rule
from edimesh.validation.spec.values import check_date_expression, check_type

_MESSAGES: Final = {
    f.IK4_REQUIRED_MISSING: ("snip1.required_element", Snip.SYNTAX, "is required but missing"),
    f.IK4_TOO_MANY_ELEMENTS: ("snip1.too_many_elements", Snip.SYNTAX,
                              "is beyond the last element the segment defines"),
    f.IK4_TOO_SHORT: ("snip1.too_short", Snip.SYNTAX, "is shorter than its minimum length"),
    f.IK4_TOO_LONG: ("snip1.too_long", Snip.SYNTAX, "is longer than its maximum length"),
    f.IK4_INVALID_CHARACTER: ("snip1.invalid_character", Snip.SYNTAX,
                              "has a character its data type or the character set does not allow"),
    f.IK4_INVALID_DATE: ("snip1.invalid_date", Snip.SYNTAX, "is not a valid date"),
    f.IK4_INVALID_TIME: ("snip1.invalid_time", Snip.SYNTAX, "is not a valid time"),
    f.IK4_TOO_MANY_REPETITIONS: ("snip1.too_many_repetitions", Snip.SYNTAX,
                                 "repeats more often than allowed"),
    f.IK4_TOO_MANY_COMPONENTS: ("snip1.too_many_components", Snip.SYNTAX,
                                "has more components than its composite defines"),
    f.IK4_INVALID_CODE: ("snip2.code_value", Snip.IMPLEMENTATION,
                         "has a code value the guide does not allow here"),
    f.IK4_NOT_USED_PRESENT: ("snip2.not_used_element", Snip.IMPLEMENTATION,
                             "is marked not used by the guide but is present"),
}


def element_ref(seg_id: str, el: int, comp: int = 0, rep: int = 0) -> str:
    ref = f"{seg_id}{el:02d}"
    if comp:
        ref += f"-{comp}"
    if rep > 1:
        ref += f"[{rep}]"
    return ref


class ElementChecker:
    """Checks one segment's elements against its compiled position."""

    def __init__(self, element: str, component: str, repetition: str) -> None:
        self.component = component
        self.repetition = repetition
        self.delimiters = frozenset(c for c in (element, component, repetition) if c)
        self.out: list[Finding] = []

    def report(self, node: CSeg, position: int, code: str, el: int, *, comp: int = 0,
               rep: int = 0, data_element: int | None = None, rule: str | None = None,
               snip: Snip | None = None, message: str | None = None) -> None:
        default = ("snip2.element", Snip.IMPLEMENTATION, "is invalid")
        name, level, text = _MESSAGES.get(code, default)
        ref = element_ref(node.id, el, comp, rep)
        self.out.append(Finding(
            rule=rule or name, snip=snip or level, severity=Severity.ERROR,
            message=f"{ref} {message or text}", segment_id=node.id, segment_position=position,
            loop_id=node.loop_id, element_ref=ref,
            element_position=(el, comp or None, rep or None), data_element=data_element,
            ik304=f.IK3_ELEMENT_ERRORS, ik403=code,
        ))

    def check(self, node: CSeg, els: list[str], position: int) -> list[Finding]:
        self.out = []
        defs = node.definition.elements
        uses = node.use.elements
        for i in range(1, len(els)):
            value = els[i]
            if i > len(defs):
                if value:
                    self.report(node, position, f.IK4_TOO_MANY_ELEMENTS, i)
                continue
            use = uses[i - 1] if i <= len(uses) else NOT_USED
            self._element(node, position, i, (defs[i - 1], use), value)
        for i in range(len(els), len(uses) + 1):
            if uses[i - 1].usage == "R":
                d = defs[i - 1]
                self.report(node, position, f.IK4_REQUIRED_MISSING, i,
                            data_element=d.ref if isinstance(d, ElementDef) else None)
        self.dates(node, els, position)
        self.rules(node, els, position, node.rules)
        return self.out

    def _element(self, node: CSeg, position: int, i: int,
                 spec: tuple[ElementDef | CompositeDef, ElementUse], value: str) -> None:
        d, use = spec
        ref = d.ref if isinstance(d, ElementDef) else None
        if not value.strip(" "):
            if use.usage == "R":
                self.report(node, position, f.IK4_REQUIRED_MISSING, i, data_element=ref)
            return
        if use.usage == "N":
            self.report(node, position, f.IK4_NOT_USED_PRESENT, i, data_element=ref)
            return
        reps = value.split(self.repetition) if self.repetition and d.repeat > 1 else [value]
        if len(reps) > d.repeat:
            self.report(node, position, f.IK4_TOO_MANY_REPETITIONS, i, data_element=ref)
            reps = reps[: d.repeat]
        for r, rep_value in enumerate(reps, 1 if len(reps) > 1 else 0):
            if isinstance(d, CompositeDef):
                self._composite(node, position, (i, r), (d, use), rep_value)
            else:
                self._simple(node, position, (i, 0, r), (d, use), rep_value)

    def _composite(self, node: CSeg, position: int, at: tuple[int, int],
                   spec: tuple[CompositeDef, ElementUse], value: str) -> None:
        (i, rep), (d, use) = at, spec
        parts = value.split(self.component)
        uses = use.components or ()
        if len(parts) > len(d.components):
            self.report(node, position, f.IK4_TOO_MANY_COMPONENTS, i, rep=rep)
            parts = parts[: len(d.components)]
        for j, c in enumerate(d.components, 1):
            cu = uses[j - 1] if j <= len(uses) else NOT_USED
            part = parts[j - 1] if j <= len(parts) else ""
            if not part.strip(" "):
                if cu.usage == "R":
                    self.report(node, position, f.IK4_REQUIRED_MISSING, i, comp=j, rep=rep,
                                data_element=c.ref)
                continue
            if cu.usage == "N":
                self.report(node, position, f.IK4_NOT_USED_PRESENT, i, comp=j, rep=rep,
                            data_element=c.ref)
                continue
            self._simple(node, position, (i, j, rep), (c, cu), part)

    def _simple(self, node: CSeg, position: int, at: tuple[int, int, int],
                spec: tuple[ElementDef, ElementUse], value: str) -> None:
        (i, j, rep), (d, use) = at, spec
        delims = self.delimiters if j else self.delimiters - {self.repetition}
        if not j and self.component in value:
            delims = self.delimiters
        code = check_type(d.type, d.min, d.max, value, delims)
        if code is None and use.codes is not None and value not in use.codes:
            code = f.IK4_INVALID_CODE
        if code is not None:
            self.report(node, position, code, i, comp=j, rep=rep, data_element=d.ref)

    def dates(self, node: CSeg, els: list[str], position: int) -> None:
        """Date expressions whose format a qualifier names (DTP03 by DTP02, ...)."""
        for a, b, comp in node.date_pairs:
            if comp == 0:
                fmt = els[a] if a < len(els) else ""
                value = els[b] if b < len(els) else ""
                el, cpos = b, 0
            else:
                parts = els[a].split(self.component) if a < len(els) else []
                fmt = parts[comp - 1] if comp - 1 < len(parts) else ""
                value = parts[b - 1] if b - 1 < len(parts) else ""
                el, cpos = a, b
            if fmt and value and check_date_expression(fmt, value) is not None:
                self.report(node, position, f.IK4_INVALID_DATE, el, comp=cpos, data_element=1251)

    def rules(self, node: CSeg, els: list[str], position: int, rules: tuple[Rule, ...]) -> None:
        for rule in rules:
            a = _value(els, rule.a, self.component)
            if rule.a_absent:
                if a:
                    continue
            elif not a or (rule.a_values is not None and a not in rule.a_values):
                continue
            b = _value(els, rule.b, self.component)
            if rule.b_absent and b:
                code, text = f.IK4_EXCLUSION_VIOLATED, "must be absent here"
            elif not rule.b_absent and not b:
                code, text = f.IK4_CONDITIONAL_MISSING, "is required here"
            else:
                continue
            syntax = rule.kind == "syntax"
            el, comp = rule.b
            self.report(
                node, position, code, el, comp=comp,
                rule="snip1.syntax_note" if syntax else "snip2.situational_element",
                snip=Snip.SYNTAX if syntax else Snip.IMPLEMENTATION,
                message=f"{text} ({'X12 syntax note ' if syntax else 'guide rule '}{rule.text})",
            )


def _value(els: list[str], pos: tuple[int, int], component: str) -> str:
    el, comp = pos
    value = els[el] if el < len(els) else ""
    if comp and value:
        parts = value.split(component)
        value = parts[comp - 1] if comp - 1 < len(parts) else ""
    return value.strip(" ")
