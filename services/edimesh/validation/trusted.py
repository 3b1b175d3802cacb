"""Tree building for a set that matched its set pattern (``spec/setpattern.py``).

The pattern has already checked every element, code, segment order, usage and repeat; what
is left is to place each segment in the tree (the same transition table as the parser, so
the same tree), and the checks the pattern leaves out: situational rules, HL numbering and
date ranges. A broken situational rule ends the walk (``walk`` returns None): the parser
then reports it. Segments with code-set checks are set aside as the parser does.

This is the hot loop of a clean set: one split, one or two dict lookups and one tuple per
segment. The table's ``steps`` cache (per state: segment id, then qualifier) holds only what
this walk needs of an ``Action``.
"""

from __future__ import annotations

from edimesh.validation.parser import Parser
from edimesh.validation.spec.compiled import WHOLE_IN_PATTERN, CSeg, rules_hold
from edimesh.validation.transitions import Step
from edimesh.validation.tree import Loop, Seg


class TrustedParser(Parser):
    def walk(self, texts: list[str]) -> Loop | None:
        """The tree, or None when a situational rule is broken (the parser says where)."""
        g = self.guide
        root = Loop(g.root, [])
        if not texts:
            return root
        loops: list[Loop] = [root]
        hl_ids: list[str | None] = [None]
        coded = self.coded
        sep, comp = self.element, self.component
        steps = self.table.steps
        state = self.table.initial()
        root.segs.append((g.root.trigger, texts[0].split(sep), 1))
        top = root
        hl_count = 0
        position = 1
        for text in texts[1:]:
            position += 1
            els = text.split(sep)
            step = steps[state].get(els[0])
            if step is not None and step.by_qualifier is not None:
                q0, q1 = step.q_element, step.q_component
                qv = els[q0] if q0 < len(els) else ""
                if q1 and comp in qv:
                    qv = qv.split(comp)[q1 - 1]
                step = step.by_qualifier.get(qv)
            if step is None:
                step = self._step(state, els)
            node = step.node
            assert node is not None  # a dispatch Step never maps to another
            if node.rule_rows and not rules_hold(node.rule_rows, els, comp):
                return None
            state = step.state
            pops = step.pops
            if pops:
                for _ in range(pops):
                    closed = loops.pop()
                    if hl_ids.pop() is not None:
                        self._hl_children(closed)
                top = loops[-1]
            seg: Seg = (node, els, position)
            push = step.push
            if push is None:
                top.segs.append(seg)
            else:
                child = Loop(push, [seg])
                top.children.append(child)
                loops.append(child)
                top = child
                if els[0] == "HL":
                    hl_count += 1
                    hl_ids.append(self._hl_fast(els, hl_ids, position, node, hl_count))
                else:
                    hl_ids.append(None)
            if step.coded:
                coded.append(seg)
            dated = step.dated
            if dated and ((dated > 0 and dated < len(els) and els[dated] not in WHOLE_IN_PATTERN)
                          or (dated < 0 and node.range_check(els, comp))):
                self.checker.out = self.findings
                self.checker.dates(node, els, position)
        while len(loops) > 1:
            closed = loops.pop()
            if hl_ids.pop() is not None:
                self._hl_children(closed)
        self.hl_count = hl_count
        return root

    def _hl_fast(self, els: list[str], hl_ids: list[str | None], position: int, node: CSeg,
                 count: int) -> str:
        """``Parser._hl`` with the usual case (a right HL01 under its direct parent) inline."""
        hl01 = els[1] if len(els) > 1 else ""
        parent = hl_ids[-1]
        if parent is not None and hl01 == str(count) and (els[2] if len(els) > 2 else "") == parent:
            return hl01
        self.hl_count = count - 1
        return self._hl(els, hl_ids, position, node)

    def _step(self, state: int, els: list[str]) -> Step:
        """Work out (and cache) the step for a segment first seen in this state."""
        table = self.table
        slot = table.steps[state]
        seg_id = els[0]
        q = self.guide.qualifiers.get(seg_id)
        per: dict[str, Step] | None = None
        if q is None:
            qv = ""
        else:
            qv = els[q[0]] if q[0] < len(els) else ""
            if q[1] and self.component in qv:
                qv = qv.split(self.component)[q[1] - 1]
            entry = slot.get(seg_id)
            if entry is None:
                slot[seg_id] = entry = Step.dispatch(q[0], q[1])
            per = entry.by_qualifier
        act = table.action(state, seg_id, qv)
        if act is None:  # cannot happen after a pattern match; the parser would say why
            raise ValueError("segment does not fit the guide after a set pattern match")
        node = act.node
        pairs = node.date_pairs
        dated = pairs[0][0] if len(pairs) == 1 and not pairs[0][2] and pairs[0][0] else (
            -1 if pairs else 0)
        step = Step(act.state, act.pops, act.push, node, node.coded, dated)
        if per is None:
            slot[seg_id] = step
        else:
            per[qv] = step
        return step
