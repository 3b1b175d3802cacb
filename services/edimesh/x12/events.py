"""Events the X12 stream gives out: transaction-set units and envelope summaries.

They are immutable values. The ones made once per set or group are NamedTuples: a set is
built in well under a microsecond that way, where a frozen dataclass costs several. They
hold envelope ids (needed for keys and acknowledgments); problems never carry element values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from edimesh.x12.delimiters import Delimiters
from edimesh.x12.problems import Problem


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """The ISA fields an acknowledger needs (ISA01..ISA16, trimmed), and its delimiters."""

    elements: tuple[str, ...]
    delimiters: Delimiters
    byte_offset: int

    def _e(self, n: int) -> str:
        return self.elements[n - 1].strip() if len(self.elements) >= n else ""

    @property
    def sender_qualifier(self) -> str:
        return self._e(5)

    @property
    def sender_id(self) -> str:
        return self._e(6)

    @property
    def receiver_qualifier(self) -> str:
        return self._e(7)

    @property
    def receiver_id(self) -> str:
        return self._e(8)

    @property
    def date(self) -> str:
        return self._e(9)

    @property
    def time(self) -> str:
        return self._e(10)

    @property
    def version(self) -> str:
        return self._e(12)

    @property
    def control_number(self) -> str:
        return self._e(13)

    @property
    def ack_requested(self) -> str:
        return self._e(14)

    @property
    def usage(self) -> str:
        return self._e(15)

    @property
    def interchange_key(self) -> str:
        """`ISA06|ISA08|ISA13`: identifies a repeated interchange."""
        return f"{self.sender_id}|{self.receiver_id}|{self.control_number}"


class GroupHeader(NamedTuple):
    """The GS elements (GS01..GS08, trimmed)."""

    elements: tuple[str, ...]
    byte_offset: int

    def _e(self, n: int) -> str:
        return self.elements[n - 1].strip() if len(self.elements) >= n else ""

    @property
    def functional_id(self) -> str:
        return self._e(1)

    @property
    def sender_code(self) -> str:
        return self._e(2)

    @property
    def receiver_code(self) -> str:
        return self._e(3)

    @property
    def date(self) -> str:
        return self._e(4)

    @property
    def time(self) -> str:
        return self._e(5)

    @property
    def control_number(self) -> str:
        return self._e(6)

    @property
    def agency(self) -> str:
        return self._e(7)

    @property
    def version(self) -> str:
        return self._e(8)


class BodyReference(NamedTuple):
    """Where a set too big to hold in memory lies in the file, with the sha256 of those bytes."""

    start: int
    end: int
    sha256: str


class TransactionSetUnit(NamedTuple):
    """One ST..SE with its envelope context. `raw` is None when the set went by reference."""

    interchange: InterchangeHeader
    group: GroupHeader
    interchange_index: int
    group_index: int
    set_index: int  # ordinal of the set in the file
    st01: str
    st02: str
    st03: str
    segment_count: int  # segments counted from ST to SE (or to where the set ended)
    start: int  # byte offset of the ST
    end: int  # byte offset just after the SE terminator (or the last segment of the set)
    raw: bytes | None
    reference: BodyReference | None
    problems: tuple[Problem, ...] = ()

    @property
    def delimiters(self) -> Delimiters:
        return self.interchange.delimiters

    @property
    def gs08(self) -> str:
        return self.group.version

    @property
    def idempotency_key(self) -> str:
        """`ISA06|ISA08|ISA13|GS06|ST02`, trimmed: the key every message about this set keeps."""
        return f"{self.interchange.interchange_key}|{self.group.control_number}|{self.st02}"

    @property
    def accepted(self) -> bool:
        return not any(p.is_error for p in self.problems)


class SetOutcome(NamedTuple):
    """What a group summary remembers of each of its sets, for AK2/IK5."""

    st01: str
    st02: str
    problems: tuple[Problem, ...]


class GroupSummary(NamedTuple):
    """A functional group, once its GE is read (or it ended without one)."""

    interchange: InterchangeHeader
    group: GroupHeader
    interchange_index: int
    group_index: int
    declared_set_count: int | None  # GE01, None when the GE is missing or not a number
    sets: tuple[SetOutcome, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def group_key(self) -> str:
        """`ISA06|ISA08|ISA13|GS06`: the key of the group's 999."""
        return f"{self.interchange.interchange_key}|{self.group.control_number}"

    @property
    def accepted(self) -> bool:
        return not any(p.is_error for p in self.problems)


@dataclass(frozen=True, slots=True)
class InterchangeSummary:
    """An interchange, once its IEA is read (or it ended without one). TA1 material."""

    header: InterchangeHeader | None  # None when the ISA itself could not be read
    interchange_index: int
    declared_group_count: int | None
    group_count: int
    start: int
    end: int
    problems: tuple[Problem, ...] = ()

    @property
    def accepted(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def ta1_code(self) -> str:
        """The TA105 note code of the first interchange-level error, or 000."""
        for p in self.problems:
            if p.is_error and p.code:
                return p.code
        return "000"


@dataclass(frozen=True, slots=True)
class StreamEnd:
    """The end of input: totals and the problems that belong to no interchange."""

    bytes_read: int
    interchanges: int
    groups: int
    sets: int
    segments: int
    problems: tuple[Problem, ...] = field(default=())


Event = TransactionSetUnit | GroupSummary | InterchangeSummary | StreamEnd
