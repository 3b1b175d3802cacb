"""Tree building for a set that matched its set pattern (``spec/setpattern.py``).

The pattern has already checked every element, code, situational rule, segment order,
usage and repeat; what is left is to place each segment in the tree (the same transition
table as the parser, so the same tree), and the checks the pattern cannot make: HL
numbering and date ranges. Segments with code-set checks are set aside as the parser does.
"""

from __future__ import annotations

from edimesh.validation.parser import Parser
from edimesh.validation.transitions import Action
from edimesh.validation.tree import Loop


class TrustedParser(Parser):
    def parse(self, texts: list[str]) -> Loop:
        g = self.guide
        table = self.table
        root = Loop(g.root, [])
        if not texts:
            return root
        loops: list[Loop] = [root]
        hl_ids: list[str | None] = [None]
        coded = self.coded
        quals = g.qualifiers
        sep, comp = self.element, self.component
        by_state = table.by_state
        state = table.initial()
        root.segs.append((g.root.trigger, texts[0].split(sep), 1))
        position = 1
        for text in texts[1:]:
            position += 1
            els = text.split(sep)
            seg_id = els[0]
            entry = by_state[state].get(seg_id)
            if entry is None or entry.__class__ is dict:
                # a qualified id (NM1, DTP, REF, HL, HI, ...) or a first sighting
                q = quals.get(seg_id)
                if q is None:
                    qv = ""
                else:
                    qv = els[q[0]] if q[0] < len(els) else ""
                    if q[1] and comp in qv:
                        qv = qv.split(comp)[q[1] - 1]
                act = self._action(state, seg_id, qv, q is not None)
            else:
                act = entry  # type: ignore[assignment]
            if act is None:  # cannot happen after a pattern match; the parser would say why
                raise ValueError("segment does not fit the guide after a set pattern match")
            state, pops, _, _, _, _, push, node, _ = act
            if pops:
                for _ in range(pops):
                    closed = loops.pop()
                    if hl_ids.pop() is not None:
                        self._hl_children(closed)
            if push is not None:
                child = Loop(push, [(node, els, position)])
                loops[-1].children.append(child)
                loops.append(child)
                hl_ids.append(self._hl(els, hl_ids, position, node) if seg_id == "HL" else None)
            else:
                loops[-1].segs.append((node, els, position))
            if node.coded:
                coded.append((node, els, position))
            if node.date_pairs and node.range_check(els, comp):
                self.checker.out = self.findings
                self.checker.dates(node, els, position)
        while len(loops) > 1:
            closed = loops.pop()
            if hl_ids.pop() is not None:
                self._hl_children(closed)
        return root

    def _action(self, state: int, seg_id: str, qv: str, qualified: bool) -> Action | None:
        """The action from the per-state table, working it out on a first sighting."""
        table = self.table
        slot = table.by_state[state]
        if not qualified:
            act = table.action(state, seg_id, qv)
            slot[seg_id] = act
            return act
        per_qualifier = slot.get(seg_id)
        if not isinstance(per_qualifier, dict):
            per_qualifier = slot[seg_id] = {}
        if qv in per_qualifier:
            return per_qualifier[qv]
        act = per_qualifier[qv] = table.action(state, seg_id, qv)
        return act
