"""Segments to a loop tree, driven by a compiled guide; structure and element findings.

Placement follows X12 practice: a segment belongs at the first position, at or after the
current one, in the innermost open loop that has a place for it (its id, and its qualifier
when the position names one); failing that, the enclosing loops are tried outwards, and a
child loop opens when the segment starts one. A segment that fits nowhere is reported
(unrecognized, unexpected or out of sequence) and the parse goes on: a tree is built
whatever the input.

Element checks run on every placed segment: the fast path (one regular expression) first,
the diagnostic checks only when it fails.
"""

from __future__ import annotations

from edimesh.validation import findings as f
from edimesh.validation.elements import ElementChecker
from edimesh.validation.findings import Finding, Severity, Snip
from edimesh.validation.spec.compiled import CLoop, CompiledGuide, CSeg, rules_hold
from edimesh.validation.spec.dictionary import SEGMENTS
from edimesh.validation.transitions import UNKNOWN, Action, resolve, tables
from edimesh.validation.tree import Loop, Seg


def split_segments(raw: bytes | str, element: str, segment: str) -> list[str]:
    """A set's bytes to segment texts, layout bytes (CR, LF, spaces) after terminators dropped."""
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    parts = text.split(segment)
    if "\n" in text or "\r" in text or segment + " " in text:
        parts = [p.lstrip("\r\n ") for p in parts]
    if parts and not parts[-1]:
        parts.pop()
    return parts


def _finding(rule: str, snip: Snip, message: str, seg_id: str, *, position: int, loop_id: str,
             ik304: str) -> Finding:
    return Finding(rule=rule, snip=snip, severity=Severity.ERROR, message=message,
                   segment_id=seg_id, segment_position=position, loop_id=loop_id, ik304=ik304)


class Parser:
    """Parses one set; create one per set (it is cheap)."""

    def __init__(self, guide: CompiledGuide, element: str, component: str, repetition: str):
        self.guide = guide
        self.element = element
        self.component = component
        self.table = tables(guide, (element, component, repetition))
        self.checker = ElementChecker(element, component, repetition)
        self.findings: list[Finding] = []
        self.strays: list[tuple[str, list[str], int]] = []  # segments that fit nowhere
        self.coded: list[Seg] = []  # segments with SNIP 5 code-set checks
        self.hl_count = 0

    def parse(self, texts: list[str]) -> Loop:
        g = self.guide
        table = self.table
        root = Loop(g.root, [])
        if not texts:
            return root
        loops: list[Loop] = [root]
        runs = [1]
        hl_ids: list[str | None] = [None]
        out = self.findings
        coded = self.coded
        quals = g.qualifiers
        sep, comp = self.element, self.component
        actions = table.actions
        state = table.initial()
        first = texts[0].split(sep)
        root.segs.append((g.root.trigger, first, 1))
        self._check(g.root.trigger, texts[0], first, 1, table.pattern(g.root.trigger).fullmatch)
        for k in range(1, len(texts)):
            text = texts[k]
            els = text.split(sep)
            seg_id = els[0]
            q = quals.get(seg_id)
            if q is None:
                qv = ""
            else:
                qv = els[q[0]] if q[0] < len(els) else ""
                if q[1] and comp in qv:
                    qv = qv.split(comp)[q[1] - 1]
            act = actions.get((state, seg_id, qv), UNKNOWN)
            if act is UNKNOWN:
                act = table.action(state, seg_id, qv)
            if act is None:
                act = table.lenient(state, seg_id)
                if act is None:
                    self._stray(loops, table.states[state], seg_id, k + 1, els)
                    continue
            position = k + 1
            state, pops, closed, skipped, repeat, limit, push, node, fullmatch = act
            if pops:
                for _ in range(pops):
                    self._close(loops.pop(), runs.pop(), hl_ids.pop())
            if closed or skipped:
                self._report_missing(act, position)
            if repeat:
                runs[-1] += 1
                if limit and runs[-1] > limit:
                    self._over(act, position)
            else:
                runs[-1] = 1
            if push is not None:
                child = Loop(push, [(node, els, position)])
                loops[-1].children.append(child)
                loops.append(child)
                runs.append(1)
                hl_ids.append(self._hl(els, hl_ids, position, node) if seg_id == "HL" else None)
            else:
                loops[-1].segs.append((node, els, position))
            if node.coded:
                coded.append((node, els, position))
            if fullmatch(text) is None:
                out += self.checker.check(node, els, position)
            elif node.date_pairs or node.rule_rows:
                self._after_match(node, els, position)
        end = len(texts)
        while len(loops) > 1:
            self._close(loops.pop(), runs.pop(), hl_ids.pop())
        frames = table.states[state]
        last_is_se = texts[-1].split(sep, 1)[0] == "SE"
        for lp, pos in frames[::-1] if last_is_se else ():
            for r in lp.required:
                if r > pos:
                    self._missing(lp, r, end)
        return root

    def _after_match(self, node: CSeg, els: list[str], position: int) -> None:
        """What the fast path leaves to Python: date ranges and situational rules."""
        checker = self.checker
        checker.out = self.findings
        if node.date_pairs and node.range_check(els, self.component):
            checker.dates(node, els, position)
        if node.rule_rows and not rules_hold(node.rule_rows, els, self.component):
            checker.rules(node, els, position, node.rules)

    def _check(self, node: CSeg, text: str, els: list[str], position: int,
               fullmatch: object) -> None:
        if fullmatch(text) is None:  # type: ignore[operator]
            self.findings += self.checker.check(node, els, position)

    def _stray(self, loops: list[Loop], frames: tuple[tuple[CLoop, int], ...], seg_id: str,
               position: int, els: list[str]) -> None:
        loop = loops[-1]
        self.strays.append((loop.spec.id, els, position))
        loop_id = loop.spec.id
        if seg_id not in SEGMENTS:
            self.findings.append(_finding(
                "snip1.unrecognized_segment", Snip.SYNTAX,
                "segment id is not one the guide knows", seg_id,
                position=position, loop_id=loop_id, ik304=f.IK3_UNRECOGNIZED_SEGMENT))
        elif any(resolve(lp, 0, seg_id, None) >= 0 for lp, _ in frames):
            self.findings.append(_finding(
                "snip2.segment_sequence", Snip.IMPLEMENTATION,
                f"{seg_id} is out of sequence in loop {loop_id}", seg_id,
                position=position, loop_id=loop_id, ik304=f.IK3_OUT_OF_SEQUENCE))
        else:
            self.findings.append(_finding(
                "snip2.unexpected_segment", Snip.IMPLEMENTATION,
                f"{seg_id} is not expected in loop {loop_id}", seg_id,
                position=position, loop_id=loop_id, ik304=f.IK3_UNEXPECTED_SEGMENT))

    def _report_missing(self, act: Action, position: int) -> None:
        for lp, r in (*act.closed_missing, *act.skipped):
            self._missing(lp, r, position)

    def _missing(self, spec: CLoop, index: int, position: int) -> None:
        node = spec.nodes[index]
        if isinstance(node, CSeg):
            seg_id, what = node.id, f"required segment {node.name}"
        else:
            seg_id, what = node.trigger.id, f"required loop {node.spec.id}"
        self.findings.append(_finding(
            "snip2.required_segment", Snip.IMPLEMENTATION,
            f"{what} is missing in loop {spec.id}", seg_id, position=position,
            loop_id=spec.id, ik304=f.IK3_REQUIRED_SEGMENT_MISSING))

    def _over(self, act: Action, position: int) -> None:
        if act.push is None:
            self.findings.append(_finding(
                "snip2.segment_repeat", Snip.IMPLEMENTATION,
                f"{act.node.name} occurs more often than the guide allows", act.node.id,
                position=position, loop_id=act.node.loop_id, ik304=f.IK3_SEGMENT_OVER_MAX))
        else:
            self.findings.append(_finding(
                "snip2.loop_repeat", Snip.IMPLEMENTATION,
                f"loop {act.push.spec.id} occurs more often than the guide allows",
                act.node.id, position=position, loop_id=act.push.spec.id,
                ik304=f.IK3_LOOP_OVER_MAX))

    def _close(self, loop: Loop, run: int, hl_id: str | None) -> None:
        if hl_id is not None:
            self._hl_children(loop)

    def _hl(self, els: list[str], hl_ids: list[str | None], position: int, node: CSeg) -> str:
        """HL01 counts 1, 2, 3...; HL02 names the enclosing level's HL01."""
        self.hl_count += 1
        hl01 = els[1] if len(els) > 1 else ""
        parent = next((h for h in reversed(hl_ids) if h is not None), "")
        hl02 = els[2] if len(els) > 2 else ""
        if hl01 != str(self.hl_count):
            self._hl_problem(node, position, 1, "HL01 does not continue the 1, 2, 3... sequence")
        if hl02 != parent:
            self._hl_problem(node, position, 2, "HL02 does not name the enclosing level's HL01")
        return hl01

    def _hl_children(self, loop: Loop) -> None:
        node, els, position = loop.segs[0]
        declared = els[4] if len(els) > 4 else ""
        has_child = False
        for c in loop.children:
            if c.segs and c.segs[0][1][0] == "HL":
                has_child = True
                break
        if (declared == "1") != has_child and declared in ("0", "1"):
            self._hl_problem(node, position, 4, "HL04 does not agree with the levels below")

    def _hl_problem(self, node: CSeg, position: int, el: int, message: str) -> None:
        self.findings.append(Finding(
            rule="snip2.hierarchy", snip=Snip.IMPLEMENTATION, severity=Severity.ERROR,
            message=message, segment_id="HL", segment_position=position, loop_id=node.loop_id,
            element_ref=f"HL{el:02d}", element_position=(el, None, None),
            data_element=(628, 734, 0, 736)[el - 1] or None,
            ik304=f.IK3_ELEMENT_ERRORS, ik403=f.IK4_PATTERN_MISMATCH))
