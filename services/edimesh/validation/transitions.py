"""The parser's transition table: (state, segment id, qualifier) -> what to do.

A state is the stack of open loops with the position reached in each, interned to an int.
Working out where a segment goes (which loops close, which opens, what required segments
were skipped) is done once per distinct situation and cached, so that parsing a set costs
one dict lookup per segment. One table per guide and delimiter set.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from edimesh.validation.spec.compiled import CLoop, CompiledGuide, CSeg
from edimesh.validation.spec.fastpath import build

Frame = tuple[CLoop, int]  # an open loop and the index of the last node placed in it


class Action(NamedTuple):
    state: int  # the state after the segment
    pops: int  # loops to close first
    closed_missing: tuple[tuple[CLoop, int], ...]  # required nodes never seen in closed loops
    skipped: tuple[tuple[CLoop, int], ...]  # required nodes jumped over at the target depth
    repeat: bool  # the same node (or loop) again: counts toward its maximum use
    limit: int  # maximum use of that node or loop (0: unbounded)
    push: CLoop | None  # a child loop to open
    node: CSeg  # where the segment goes (the trigger when a loop opens)
    fullmatch: Callable[[str], re.Match[str] | None]  # the node's fast-path pattern


NO_PLACE: Final = -1
class Step:
    """What the trusted walk needs of an Action, or, for a segment id with a qualifier, where
    the qualifier is and the Step for each value seen (compiled: plain field reads).

    dated: 0 no date pair, n > 0 the qualifier element of the one plain date pair, -1 others
    (see CSeg.range_check).
    """

    __slots__ = ("by_qualifier", "coded", "dated", "node", "pops", "push", "q_component",
                 "q_element", "state")

    def __init__(self, state: int, pops: int, push: CLoop | None, node: CSeg | None,  # noqa: PLR0917
                 coded: bool, dated: int, q_element: int = 0, q_component: int = 0,
                 by_qualifier: dict[str, Step] | None = None) -> None:
        self.state = state
        self.pops = pops
        self.push = push
        self.node = node
        self.coded = coded
        self.dated = dated
        self.q_element = q_element
        self.q_component = q_component
        self.by_qualifier = by_qualifier

    @staticmethod
    def dispatch(q_element: int, q_component: int) -> Step:
        """A Step that only says where the qualifier is; its values map to real Steps."""
        return Step(NO_PLACE, 0, None, None, False, 0, q_element, q_component, {})


@dataclass(slots=True, eq=False)
class Table:
    guide: CompiledGuide
    delimiters: tuple[str, str, str]
    states: list[tuple[Frame, ...]] = field(default_factory=list)
    index: dict[tuple[Frame, ...], int] = field(default_factory=dict)
    actions: dict[tuple[int, str, str], Action | None] = field(default_factory=dict)
    # per state, for sets that matched the set pattern (``trusted.py``): segment id -> Step
    # (a qualifier dispatch Step for ids with a qualifier element)
    steps: list[dict[str, Step]] = field(default_factory=list)

    def state_of(self, frames: tuple[Frame, ...]) -> int:
        n = self.index.get(frames)
        if n is None:
            n = self.index[frames] = len(self.states)
            self.states.append(frames)
            self.steps.append({})
        return n

    def initial(self) -> int:
        return self.state_of(((self.guide.root, 0),))

    def pattern(self, node: CSeg) -> re.Pattern[str]:
        p = node.fast.get(self.delimiters)
        if p is None:
            p = node.fast[self.delimiters] = build(node, *self.delimiters)
        return p

    def action(self, state: int, seg_id: str, qualifier: str) -> Action | None:
        key = (state, seg_id, qualifier)
        try:
            return self.actions[key]
        except KeyError:
            act = self.actions[key] = self._work_out(self.states[state], seg_id, qualifier)
            return act

    def _work_out(self, frames: tuple[Frame, ...], seg_id: str, qualifier: str | None,
                  ahead: int = 0) -> Action | None:
        for depth in range(len(frames) - 1, -1, -1):
            loop, pos = frames[depth]
            idx = resolve(loop, pos + ahead, seg_id, qualifier)
            if idx < 0:
                continue
            closed = tuple(
                (lp, r) for lp, p in frames[depth + 1:] for r in lp.required if r > p
            )
            skipped = tuple((loop, r) for r in loop.required if pos < r < idx)
            node = loop.nodes[idx]
            repeat = idx == pos
            kept = (*frames[:depth], (loop, idx))
            if isinstance(node, CSeg):
                return Action(self.state_of(kept), len(frames) - 1 - depth, closed, skipped,
                              repeat, node.use.max_use, None, node,
                              self.pattern(node).fullmatch)
            trigger = node.trigger
            return Action(self.state_of((*kept, (node, 0))), len(frames) - 1 - depth, closed,
                          skipped, repeat, node.spec.max_use, node, trigger,
                          self.pattern(trigger).fullmatch)
        return None

    def lenient(self, state: int, seg_id: str) -> Action | None:
        """A place for the segment by its id alone (its qualifier is then reported as a bad
        code); a later position first, so that a bad qualifier is not taken for a repeat.
        Not cached: it only happens for bad input."""
        frames = self.states[state]
        return self._work_out(frames, seg_id, None, 1) or self._work_out(frames, seg_id, None)


def resolve(loop: CLoop, pos: int, seg_id: str, qualifier: str | None) -> int:
    """The first node at or after `pos` that takes the segment, or -1."""
    for idx, node in loop.by_id.get(seg_id, ()):
        if idx < pos:
            continue
        quals = (node if isinstance(node, CSeg) else node.trigger).use.qualifiers
        if qualifier is None or quals is None or qualifier in quals:
            return idx
    return NO_PLACE


def tables(guide: CompiledGuide, delimiters: tuple[str, str, str]) -> Table:
    table = guide.tables.get(delimiters)
    if not isinstance(table, Table):
        table = Table(guide, delimiters)
        guide.tables[delimiters] = table
    return table


def _unknown() -> Action:
    """A sentinel for "not worked out yet", told apart from real actions by identity."""
    node: CSeg = None  # type: ignore[assignment]
    return Action(-1, 0, (), (), False, 0, None, node, lambda _text: None)


UNKNOWN: Action | None = _unknown()
