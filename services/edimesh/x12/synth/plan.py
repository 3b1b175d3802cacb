"""Where everything goes: unit ranges, control numbers and keys, computed without any body.

Control numbers increase by one per unit over the whole file: interchange i has ISA13 =
base + i, group g has GS06 = base + g, set s has ST02 = base + s (at least 4 digits). Bases
are `first_*`, else canary-derived in canary mode, else 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from edimesh.x12.synth.canary import CanaryBases
from edimesh.x12.synth.options import Scope, SynthError, SynthOptions

_E = SynthError


@dataclass(frozen=True, slots=True)
class SetInfo:
    """One transaction set as written, and the injected errors that touch it.

    `errors` holds the set's own defects, its claims', its group's and its interchange's
    (except SEGMENT_OUTSIDE_ENVELOPE, which sits between interchanges).
    """

    index: int
    interchange: int
    group: int
    first_claim: int
    claims: int
    isa13: str
    gs06: str
    st02: str
    key: str
    errors: frozenset[SynthError]


class Layout:
    """The file's structure for given options; cheap (no claim content)."""

    def __init__(self, options: SynthOptions) -> None:
        o = self.options = options
        self.injected = o.injections()
        bases = CanaryBases.of(o.canary) if o.canary else None
        self.isa13_base = _pick(o.first_isa13, bases.isa13 if bases else None)
        self.gs06_base = _pick(o.first_gs06, bases.gs06 if bases else None)
        self.st02_base = _pick(o.first_st02, bases.st02 if bases else None)
        self.sender = o.sender_id.strip()
        self.receiver = o.receiver_id.strip()

    def has(self, error: SynthError, index: int) -> bool:
        hit = self.injected.get(error)
        return hit is not None and index in hit

    def errors_at(self, scope: Scope, index: int) -> frozenset[SynthError]:
        return frozenset(e for e, at in self.injected.items() if e.scope is scope and index in at)

    # ------------------------------------------------------------------ ranges
    def groups_of(self, interchange: int) -> range:
        per = self.options.groups_per_interchange
        return range(interchange * per, min((interchange + 1) * per, self.options.groups))

    def sets_of(self, group: int) -> range:
        per = self.options.sets_per_group
        return range(group * per, min((group + 1) * per, self.options.sets))

    def claims_of(self, set_index: int) -> range:
        per = self.options.claims_per_set
        return range(set_index * per, min((set_index + 1) * per, self.options.claims))

    def interchange_of_group(self, group: int) -> int:
        return group // self.options.groups_per_interchange

    def group_of_set(self, set_index: int) -> int:
        return set_index // self.options.sets_per_group

    def set_of_claim(self, claim: int) -> int:
        return claim // self.options.claims_per_set

    # ------------------------------------------------------------------ control numbers
    def isa13(self, i: int) -> str:
        n = self.isa13_base + i
        return f"A{n % 10**8:08d}" if self.has(_E.BAD_ISA13, i) else f"{n:09d}"

    def iea02(self, i: int) -> str:
        if self.has(_E.IEA02_MISMATCH, i):
            return f"{(self.isa13_base + i + 1) % 10**9:09d}"
        return self.isa13(i)

    def gs06(self, g: int) -> str:
        return str(self.gs06_base + g)

    def ge02(self, g: int) -> str:
        return str(self.gs06_base + g + 1) if self.has(_E.GE02_MISMATCH, g) else self.gs06(g)

    def st02(self, s: int) -> str:
        while self.has(_E.DUPLICATE_ST02, s):  # options guarantee s - 1 is in the same group
            s -= 1
        return f"{self.st02_base + s:04d}"

    def se02(self, s: int) -> str:
        if self.has(_E.SE02_MISMATCH, s):
            return f"{int(self.st02(s)) + 1:0{len(self.st02(s))}d}"
        return self.st02(s)

    def key(self, s: int) -> str:
        g = self.group_of_set(s)
        i = self.interchange_of_group(g)
        return f"{self.sender}|{self.receiver}|{self.isa13(i)}|{self.gs06(g)}|{self.st02(s)}"

    # ------------------------------------------------------------------ sets
    def iter_sets(self) -> Iterator[SetInfo]:
        claim_errors = self.injected.get(_E.UNBALANCED_CLAIM, frozenset())
        for i in range(self.options.interchanges):
            ic_errors = self.errors_at(Scope.INTERCHANGE, i) - {_E.SEGMENT_OUTSIDE_ENVELOPE}
            for g in self.groups_of(i):
                g_errors = ic_errors | self.errors_at(Scope.GROUP, g)
                for s in self.sets_of(g):
                    claims = self.claims_of(s)
                    errors = g_errors | self.errors_at(Scope.SET, s)
                    if claim_errors and any(c in claim_errors for c in claims):
                        errors |= {_E.UNBALANCED_CLAIM}
                    yield SetInfo(
                        index=s,
                        interchange=i,
                        group=g,
                        first_claim=claims.start,
                        claims=len(claims),
                        isa13=self.isa13(i),
                        gs06=self.gs06(g),
                        st02=self.st02(s),
                        key=self.key(s),
                        errors=errors,
                    )


def _pick(explicit: int | None, canary: int | None) -> int:
    if explicit is not None:
        return explicit
    return canary if canary is not None else 1
