"""The loop tree a transaction set parses into.

A placed segment is a plain tuple ``(node, elements, position)``: ``elements[0]`` is the
segment id, ``elements[n]`` element n (so ``CLM02`` is ``elements[2]``), ``position`` counts
from ST = 1. Tuples keep the parser fast; ``Loop`` gives the readable accessors.
"""

from __future__ import annotations

from collections.abc import Iterator

from edimesh.validation.spec.compiled import CLoop, CSeg

Seg = tuple[CSeg, list[str], int]


class Loop:
    __slots__ = ("children", "segs", "spec")

    def __init__(self, spec: CLoop, segs: list[Seg]) -> None:
        self.spec = spec
        self.segs = segs
        self.children: list[Loop] = []

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def head(self) -> Seg:
        """The segment that started the loop."""
        return self.segs[0]

    @property
    def position(self) -> int:
        return self.segs[0][2]

    def first(self, name: str) -> list[str] | None:
        """The elements of the first segment at position `name` ("CLM", "NM1*85", ...)."""
        for node, els, _ in self.segs:
            if node.name == name:
                return els
        return None

    def seg(self, name: str) -> Seg | None:
        for s in self.segs:
            if s[0].name == name:
                return s
        return None

    def all(self, name: str) -> list[Seg]:
        return [s for s in self.segs if s[0].name == name]

    def loops(self, loop_id: str) -> list[Loop]:
        return [c for c in self.children if c.spec.id == loop_id]

    def loop(self, loop_id: str) -> Loop | None:
        for c in self.children:
            if c.spec.id == loop_id:
                return c
        return None

    def walk(self) -> Iterator[Loop]:
        yield self
        for child in self.children:
            yield from child.walk()


def el(els: list[str] | None, n: int) -> str:
    """Element `n` of a segment's elements, "" when absent."""
    if els is None or n >= len(els):
        return ""
    return els[n]
