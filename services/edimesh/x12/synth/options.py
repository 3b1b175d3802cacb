"""What to generate: the options, the injectable errors, and where each error lands."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from edimesh.errors import ConfigError

MAX_CANARY_CLAIMS = 18_000
"""Canary birth dates are unique days in 1800-1899 (two per claim), which caps canary files."""

_CANARY_RE = re.compile(r"[A-Z][A-Z0-9]{2,11}")
_ID_RE = re.compile(r"[A-Z0-9 ]{1,15}")
# Characters that occur inside generated values; a delimiter equal to one would corrupt them.
_DATA_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-")


class SynthOptionsError(ConfigError, ValueError):
    """The options cannot describe a file (bad delimiter, position out of range, ...)."""


class Scope(StrEnum):
    """The unit an injected error's position counts in (0-based, over the whole file)."""

    INTERCHANGE = "interchange"
    GROUP = "group"
    SET = "set"
    CLAIM = "claim"


class SynthError(StrEnum):
    """A deliberate defect. See `edimesh.x12.synth.problems.ERROR_INFO` for the expected code.

    Values are the `Problem.kind` names `edimesh.x12.stream` reports for the same defect.
    """

    SE01_COUNT = "se01_count"  # SE01 = real count + 1
    SE02_MISMATCH = "se02_mismatch"  # SE02 = ST02 + 1
    MISSING_SE = "se_missing"  # the set is never closed: next ST (or GE) follows its last line
    DUPLICATE_ST02 = "st02_duplicate"  # ST02 (and SE02) repeat the previous set's in the group
    INVALID_NPI = "invalid_npi"  # 2010AA NM109 with a wrong check digit
    GE01_COUNT = "ge01_count"  # GE01 = real count + 1
    GE02_MISMATCH = "ge02_mismatch"  # GE02 = GS06 + 1
    MISSING_GE = "ge_missing"  # the group is never closed
    MISSING_GS08 = "gs08_missing"  # GS has 7 elements
    IEA01_COUNT = "iea01_count"  # IEA01 = real count + 1
    IEA02_MISMATCH = "iea02_mismatch"  # IEA02 = ISA13 + 1
    MISSING_IEA = "iea_missing"  # the interchange is never closed (truncated file by default)
    BAD_ISA09_DATE = "isa09_date"  # ISA09 = YY1340 (month 13, day 40)
    BAD_ISA13 = "isa13_syntax"  # ISA13 (and IEA02) = "A" + 8 digits
    BAD_ISA15 = "isa15_value"  # ISA15 = "X"
    SEGMENT_OUTSIDE_ENVELOPE = "segments_outside_interchange"  # an NTE after the interchange's IEA
    UNBALANCED_CLAIM = "unbalanced_claim"  # CLM02 = sum(SV102) + 1.00

    @property
    def scope(self) -> Scope:
        return _SCOPES[self]

    @property
    def default_at(self) -> int:
        """Default position: the first unit, except where that cannot show the defect."""
        if self is SynthError.DUPLICATE_ST02:
            return 1  # needs a previous set in the same group
        if self is SynthError.MISSING_IEA:
            return -1  # a truncated file
        return 0


_SCOPES: dict[SynthError, Scope] = {
    **dict.fromkeys(
        (
            SynthError.SE01_COUNT,
            SynthError.SE02_MISMATCH,
            SynthError.MISSING_SE,
            SynthError.DUPLICATE_ST02,
            SynthError.INVALID_NPI,
        ),
        Scope.SET,
    ),
    **dict.fromkeys(
        (
            SynthError.GE01_COUNT,
            SynthError.GE02_MISMATCH,
            SynthError.MISSING_GE,
            SynthError.MISSING_GS08,
        ),
        Scope.GROUP,
    ),
    **dict.fromkeys(
        (
            SynthError.IEA01_COUNT,
            SynthError.IEA02_MISMATCH,
            SynthError.MISSING_IEA,
            SynthError.BAD_ISA09_DATE,
            SynthError.BAD_ISA13,
            SynthError.BAD_ISA15,
            SynthError.SEGMENT_OUTSIDE_ENVELOPE,
        ),
        Scope.INTERCHANGE,
    ),
    SynthError.UNBALANCED_CLAIM: Scope.CLAIM,
}

# Defects of one trailer exclude each other: a missing SE has no SE01 to get wrong; and a
# stray segment after a missing IEA would sit inside the interchange, not outside it.
_EXCLUSIVE: tuple[frozenset[SynthError], ...] = (
    frozenset({SynthError.MISSING_SE, SynthError.SE01_COUNT, SynthError.SE02_MISMATCH}),
    frozenset({SynthError.MISSING_GE, SynthError.GE01_COUNT, SynthError.GE02_MISMATCH}),
    frozenset({SynthError.MISSING_IEA, SynthError.IEA01_COUNT, SynthError.IEA02_MISMATCH}),
    frozenset({SynthError.MISSING_IEA, SynthError.SEGMENT_OUTSIDE_ENVELOPE}),
)


@dataclass(frozen=True, slots=True)
class Injection:
    """`error` at unit `at` of its scope (negative counts from the end; None = default)."""

    error: SynthError
    at: int | None = None


@dataclass(frozen=True, slots=True)
class SynthOptions:
    """Shape, syntax and content of a synthetic 005010X222A1 837P file.

    The shape is derived from `claims`: sets of `claims_per_set` claims, groups of
    `sets_per_group` sets, interchanges of `groups_per_interchange` groups; the last of each
    may be partial. Control numbers increase by one per unit over the whole file.

    `canary` switches PHI to unique recognisable values built from it (see `canary.py`).
    """

    claims: int
    claims_per_set: int = 10
    sets_per_group: int = 100
    groups_per_interchange: int = 1
    lines_per_claim: tuple[int, int] = (1, 4)
    seed: int = 0
    element_sep: str = "*"
    component_sep: str = ":"
    repetition_sep: str = "^"
    segment_term: str = "~"
    newline: str = ""
    sender_qualifier: str = "ZZ"
    sender_id: str = "EDIMESHSUBMIT"
    receiver_qualifier: str = "ZZ"
    receiver_id: str = "EDIMESHPAYER"
    usage_indicator: str = "T"
    created: datetime = datetime(2024, 3, 15, 9, 30, tzinfo=UTC)
    first_isa13: int | None = None
    first_gs06: int | None = None
    first_st02: int | None = None
    errors: frozenset[SynthError | Injection] = field(default_factory=frozenset)
    canary: str | None = None
    bom: bool = False
    leading_junk: bytes = b""
    trailing_junk: bytes = b""

    def __post_init__(self) -> None:
        self._check_shape()
        self._check_syntax()
        self._check_identity()
        self.injections()  # positions are validated there

    # ------------------------------------------------------------------ derived shape
    @property
    def sets(self) -> int:
        return -(-self.claims // self.claims_per_set)

    @property
    def groups(self) -> int:
        return -(-self.sets // self.sets_per_group)

    @property
    def interchanges(self) -> int:
        return -(-self.groups // self.groups_per_interchange)

    def count(self, scope: Scope) -> int:
        return {
            Scope.INTERCHANGE: self.interchanges,
            Scope.GROUP: self.groups,
            Scope.SET: self.sets,
            Scope.CLAIM: self.claims,
        }[scope]

    def injections(self) -> dict[SynthError, frozenset[int]]:
        """Every injected error with the absolute indices (in its scope) it lands on."""
        found: dict[SynthError, set[int]] = {}
        for item in self.errors:
            inj = item if isinstance(item, Injection) else Injection(item)
            n = self.count(inj.error.scope)
            at = inj.error.default_at if inj.at is None else inj.at
            index = at + n if at < 0 else at
            if not 0 <= index < n:
                raise SynthOptionsError(
                    f"{inj.error.value}: position {at} outside 0..{n - 1} {inj.error.scope}s"
                )
            if inj.error is SynthError.DUPLICATE_ST02 and index % self.sets_per_group == 0:
                raise SynthOptionsError(
                    "duplicate_st02: the set must have a previous set in its group"
                )
            found.setdefault(inj.error, set()).add(index)
        for group in _EXCLUSIVE:
            hits = [e for e in group if e in found]
            for i, a in enumerate(hits):
                for b in hits[i + 1 :]:
                    if found[a] & found[b]:
                        raise SynthOptionsError(f"{a.value} and {b.value} on the same unit")
        return {k: frozenset(v) for k, v in found.items()}

    # ------------------------------------------------------------------ checks
    def _check_shape(self) -> None:
        for name in ("claims", "claims_per_set", "sets_per_group", "groups_per_interchange"):
            if getattr(self, name) < 1:
                raise SynthOptionsError(f"{name} must be at least 1")
        lo, hi = self.lines_per_claim
        if not 1 <= lo <= hi <= 50:  # 837P allows at most 50 service lines per claim
            raise SynthOptionsError("lines_per_claim must satisfy 1 <= low <= high <= 50")
        if self.canary is not None:
            if not _CANARY_RE.fullmatch(self.canary):
                raise SynthOptionsError("canary must be 3-12 chars, [A-Z][A-Z0-9]*")
            if self.claims > MAX_CANARY_CLAIMS:
                raise SynthOptionsError(f"canary files hold at most {MAX_CANARY_CLAIMS} claims")

    def _check_syntax(self) -> None:
        delims = (self.element_sep, self.component_sep, self.repetition_sep, self.segment_term)
        for d in delims:
            if len(d) != 1 or not d.isascii() or d in _DATA_CHARS:
                raise SynthOptionsError(
                    f"delimiter {d!r} must be one ASCII char outside letters, digits and ' .-'"
                )
        if len(set(delims)) != 4:
            raise SynthOptionsError("the four delimiters must differ")
        if self.newline not in ("", "\n", "\r\n"):
            raise SynthOptionsError("newline must be '', '\\n' or '\\r\\n'")
        if self.newline and self.segment_term in "\r\n":
            raise SynthOptionsError("a line-break segment terminator takes no extra newline")
        if self.newline and (self.element_sep in "\r\n" or self.component_sep in "\r\n"):
            raise SynthOptionsError("newline would collide with a delimiter")

    def _check_identity(self) -> None:
        for name in ("sender_id", "receiver_id"):
            if not _ID_RE.fullmatch(getattr(self, name)):
                raise SynthOptionsError(f"{name} must be 1-15 chars of [A-Z0-9 ]")
        for name in ("sender_qualifier", "receiver_qualifier"):
            if not re.fullmatch(r"[A-Z0-9]{2}", getattr(self, name)):
                raise SynthOptionsError(f"{name} must be 2 chars")
        if self.usage_indicator not in ("P", "T"):
            raise SynthOptionsError("usage_indicator must be P or T")
        if self.created.tzinfo is None:
            raise SynthOptionsError("created must be timezone-aware")
        for name, count in (
            ("first_isa13", self.interchanges),
            ("first_gs06", self.groups),
            ("first_st02", self.sets),
        ):
            first = getattr(self, name)
            if first is not None and not (first >= 1 and first + count - 1 <= 999_999_999):
                raise SynthOptionsError(f"{name}: control numbers must stay in 1..999999999")
