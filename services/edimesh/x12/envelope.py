"""The envelope state machine: ISA/IEA, GS/GE and ST/SE, with their counts and control numbers.

It is fed envelope segments one by one and the number of body segments between them (the
scanner counts those in bulk). It never sees element values of body segments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from edimesh.x12 import problems as p
from edimesh.x12.delimiters import Delimiters
from edimesh.x12.events import (
    BodyReference,
    Event,
    GroupHeader,
    GroupSummary,
    InterchangeHeader,
    InterchangeSummary,
    SetOutcome,
    TransactionSetUnit,
)
from edimesh.x12.header_checks import check_gs, check_isa
from edimesh.x12.problems import Level, Location, Problem, Severity


class SetBytes(Protocol):
    """Gives the bytes of a finished set: in memory, or as a reference with its sha256."""

    def take_set(self, start: int, end: int) -> tuple[bytes | None, BodyReference | None]: ...


@dataclass(slots=True)
class _OpenSet:
    st01: str
    st02: str
    st03: str
    start: int
    index: int
    raw_st02: str  # as written: SE02 must repeat it exactly
    segments: int = 1  # the ST itself
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class _OpenGroup:
    header: GroupHeader
    index: int
    sets: list[SetOutcome] = field(default_factory=list)
    control_numbers: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class _OpenInterchange:
    header: InterchangeHeader
    index: int
    groups: int = 0
    problems: list[Problem] = field(default_factory=list)


def _int_or_none(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _element(elements: list[str], n: int) -> str:
    return elements[n].strip() if len(elements) > n else ""


class EnvelopeMachine:
    """Tracks the open interchange, group and set; appends finished units and summaries."""

    def __init__(self, set_bytes: SetBytes, out: list[Event]) -> None:
        self._bytes = set_bytes
        self._out = out
        self._ic: _OpenInterchange | None = None
        self._group: _OpenGroup | None = None
        self._set: _OpenSet | None = None
        self._orphan = False  # inside an ST..SE that has no group: absorbed, not emitted
        self._prev_end = 0
        self._handlers = {
            "ST": self._st,
            "SE": self._se,
            "GS": self._gs,
            "GE": self._ge,
            "IEA": self._iea,
            "TA1": self._ta1,
        }
        self.interchanges = 0
        self.groups = 0
        self.sets = 0
        self.segments = 0
        self.file_problems: list[Problem] = []

    @property
    def in_interchange(self) -> bool:
        return self._ic is not None

    @property
    def open_set_start(self) -> int | None:
        return self._set.start if self._set is not None else None

    def where(self, offset: int, segment_id: str | None = None) -> Location:
        return Location(
            interchange=self._ic.index if self._ic else None,
            group=self._group.index if self._group else None,
            transaction_set=self._set.index if self._set else None,
            segment_position=self.segments,
            segment_id=segment_id,
            byte_offset=offset,
        )

    # ------------------------------------------------------------------ input

    def interchange_rejected(self, problem: Problem, start: int, end: int) -> None:
        """An ISA that cannot be used at all (bad delimiters): a summary and nothing else."""
        self.interchanges += 1
        self._out.append(
            InterchangeSummary(None, self.interchanges, None, 0, start, end, (problem,))
        )

    def open_interchange(
        self,
        elements: tuple[str, ...],
        delimiters: Delimiters,
        start: int,
        warnings: list[Problem],
    ) -> None:
        self.interchanges += 1
        self.segments += 1
        header = InterchangeHeader(elements, delimiters, start)
        self._ic = _OpenInterchange(header, self.interchanges)
        where = self.where(start, "ISA")
        self._ic.problems.extend(warnings)
        self._ic.problems.extend(check_isa(elements, where))

    def body(self, count: int, offset: int) -> None:
        """`count` non-envelope segments, the first at `offset`."""
        if count == 0:
            return
        self.segments += count
        if self._set is not None:
            self._set.segments += count
        elif not self._orphan:
            scope = "transaction set" if self._group else "functional group"
            self._flag(
                None,
                "segments_outside_envelope",
                Level.INTERCHANGE,
                p.TA1_INVALID_CONTROL_STRUCTURE,
                f"{count} segment(s) outside any {scope}",
                at=offset,
            )

    def envelope(
        self, seg_id: str, elements: list[str], start: int, end: int, prev_end: int
    ) -> None:
        """An ST, SE, GS, GE or IEA segment from `start` to just after its terminator.

        `prev_end` is just after the previous segment: where a set left open ends.
        """
        self.segments += 1
        self._prev_end = prev_end
        self._handlers[seg_id](elements, start, end)

    def end_of_interchange(self, offset: int, reason: str) -> None:
        """Input ended, or a new ISA began, before this interchange's IEA."""
        if self._ic is None:
            return
        self._prev_end = offset
        self._close_set_without_trailer(offset)
        self._close_group_without_trailer(offset)
        self._flag(
            None,
            "iea_missing",
            Level.INTERCHANGE,
            p.TA1_PREMATURE_END_OF_FILE,
            f"interchange has no IEA trailer before {reason}",
            at=offset,
            segment_id="IEA",
        )
        self._finish_interchange(None, offset)

    def segment_too_long(self, offset: int, limit: int) -> None:
        """A segment ran past the length limit; it is skipped up to its terminator."""
        message = f"a segment is longer than {limit} bytes without a terminator"
        if self._set is not None:
            self._flag(
                self._set.problems,
                "segment_too_long",
                Level.SET,
                p.IK5_SEGMENTS_IN_ERROR,
                message,
                at=offset,
            )
        else:
            self._flag(
                None,
                "segment_too_long",
                Level.INTERCHANGE,
                p.TA1_INVALID_CONTENT,
                message,
                at=offset,
            )

    # ------------------------------------------------------------------ handlers

    def _st(self, elements: list[str], start: int, _end: int) -> None:
        self._close_set_without_trailer(start)
        if self._group is None:
            self._orphan = True
            self._flag(
                None,
                "set_outside_group",
                Level.INTERCHANGE,
                p.TA1_INVALID_CONTENT,
                "ST outside any functional group",
                at=start,
                segment_id="ST",
            )
            return
        self.sets += 1
        n = len(elements)
        st01 = elements[1].strip() if n > 1 else ""
        raw_st02 = elements[2] if n > 2 else ""
        st02 = raw_st02.strip()
        st = _OpenSet(st01, st02, elements[3].strip() if n > 3 else "", start, self.sets, raw_st02)
        self._set = st
        seen = self._group.control_numbers
        if len(st01) != 3 or not st01.isalnum():
            self._flag(
                st.problems,
                "st01_invalid",
                Level.SET,
                p.IK5_INVALID_SET_ID,
                "ST01 transaction set identifier is missing or invalid",
                at=start,
                segment_id="ST",
            )
        if not 4 <= len(raw_st02) <= 9 or raw_st02 != st02:
            self._flag(
                st.problems,
                "st02_invalid",
                Level.SET,
                p.IK5_INVALID_CONTROL_NUMBER,
                "ST02 control number is missing, padded, or not 4 to 9 characters",
                at=start,
                segment_id="ST",
            )
        elif st02 in seen:
            self._flag(
                st.problems,
                "st02_duplicate",
                Level.SET,
                p.IK5_CONTROL_NUMBER_NOT_UNIQUE,
                "ST02 control number repeats within the functional group",
                at=start,
                segment_id="ST",
            )
        seen.add(st02)

    def _ta1(self, _elements: list[str], start: int, _end: int) -> None:
        # An interchange acknowledgment travels between groups; inside a set it is content.
        if self._set is not None:
            self._set.segments += 1
        elif self._group is not None:
            self._flag(
                None,
                "ta1_in_group",
                Level.INTERCHANGE,
                p.TA1_INVALID_CONTROL_STRUCTURE,
                "TA1 inside a functional group",
                at=start,
                segment_id="TA1",
            )

    def _se(self, elements: list[str], start: int, end: int) -> None:
        if self._orphan:
            self._orphan = False
            return
        st = self._set
        if st is None:
            self._flag(
                None,
                "se_without_st",
                Level.INTERCHANGE,
                p.TA1_INVALID_CONTROL_STRUCTURE,
                "SE without a matching ST",
                at=start,
                segment_id="SE",
            )
            return
        st.segments += 1
        n = len(elements)
        if n < 2 or elements[1].strip() != str(st.segments):
            self._flag(
                st.problems,
                "se01_count",
                Level.SET,
                p.IK5_SEGMENT_COUNT_MISMATCH,
                f"SE01 does not match the {st.segments} segments counted from ST to SE",
                at=start,
                segment_id="SE",
            )
        if (elements[2] if n > 2 else "") != st.raw_st02:
            self._flag(
                st.problems,
                "se02_mismatch",
                Level.SET,
                p.IK5_CONTROL_NUMBER_MISMATCH,
                "SE02 does not match ST02",
                at=start,
                segment_id="SE",
            )
        self._close_set(end)

    def _gs(self, elements: list[str], start: int, _end: int) -> None:
        ic = self._ic
        assert ic is not None, "the scanner feeds GS only inside an interchange"
        self._close_set_without_trailer(start)
        self._close_group_without_trailer(start)
        self.groups += 1
        ic.groups += 1
        header = GroupHeader(tuple(e.strip() for e in elements[1:]), start)
        self._group = _OpenGroup(header, self.groups)
        self._group.problems.extend(check_gs(header.elements, self.where(start, "GS")))

    def _ge(self, elements: list[str], start: int, _end: int) -> None:
        self._close_set_without_trailer(start)
        group = self._group
        if group is None:
            self._flag(
                None,
                "ge_without_gs",
                Level.INTERCHANGE,
                p.TA1_INVALID_CONTROL_STRUCTURE,
                "GE without a matching GS",
                at=start,
                segment_id="GE",
            )
            return
        declared = _int_or_none(_element(elements, 1))
        if declared != len(group.sets):
            self._flag(
                group.problems,
                "ge01_count",
                Level.GROUP,
                p.AK9_SET_COUNT_MISMATCH,
                f"GE01 does not match the {len(group.sets)} transaction sets in the group",
                at=start,
                segment_id="GE",
            )
        if _element(elements, 2) != group.header.control_number:
            self._flag(
                group.problems,
                "ge02_mismatch",
                Level.GROUP,
                p.AK9_CONTROL_NUMBER_MISMATCH,
                "GE02 does not match GS06",
                at=start,
                segment_id="GE",
            )
        self._finish_group(declared)

    def _iea(self, elements: list[str], start: int, end: int) -> None:
        ic = self._ic
        assert ic is not None, "the scanner feeds IEA only inside an interchange"
        self._close_set_without_trailer(start)
        self._close_group_without_trailer(start)
        declared = _int_or_none(_element(elements, 1))
        if declared != ic.groups:
            self._flag(
                ic.problems,
                "iea01_count",
                Level.INTERCHANGE,
                p.TA1_INVALID_GROUP_COUNT,
                f"IEA01 does not match the {ic.groups} functional groups",
                at=start,
                segment_id="IEA",
            )
        if _element(elements, 2) != ic.header.control_number:
            self._flag(
                ic.problems,
                "iea02_mismatch",
                Level.INTERCHANGE,
                p.TA1_CONTROL_NUMBER_MISMATCH,
                "IEA02 does not match ISA13",
                at=start,
                segment_id="IEA",
            )
        self._finish_interchange(declared, end)

    # ------------------------------------------------------------------ closing

    def _flag(
        self,
        into: list[Problem] | None,
        kind: str,
        level: Level,
        code: str,
        message: str,
        *,
        at: int,
        segment_id: str | None = None,
    ) -> None:
        """Record an error where it belongs: `into`, else the open interchange, else the file."""
        if into is None:
            into = self._ic.problems if self._ic is not None else self.file_problems
        into.append(Problem(kind, level, code, message, self.where(at, segment_id)))

    def _close_set_without_trailer(self, offset: int) -> None:
        self._orphan = False
        st = self._set
        if st is None:
            return
        self._flag(
            st.problems,
            "se_missing",
            Level.SET,
            p.IK5_TRAILER_MISSING,
            "transaction set has no SE trailer",
            at=offset,
            segment_id="SE",
        )
        self._close_set(self._prev_end)

    def _close_set(self, end: int) -> None:
        st, group, ic = self._set, self._group, self._ic
        assert st is not None
        assert group is not None
        assert ic is not None
        raw, reference = self._bytes.take_set(st.start, end)
        problems = tuple(st.problems)
        # Positional on purpose: this runs once per set, and keywords cost time here.
        self._out.append(
            TransactionSetUnit(
                ic.header,
                group.header,
                ic.index,
                group.index,
                st.index,
                st.st01,
                st.st02,
                st.st03,
                st.segments,
                st.start,
                end,
                raw,
                reference,
                problems,
            )
        )
        group.sets.append(SetOutcome(st.st01, st.st02, problems))
        self._set = None

    def _close_group_without_trailer(self, offset: int) -> None:
        if self._group is None:
            return
        self._flag(
            self._group.problems,
            "ge_missing",
            Level.GROUP,
            p.AK9_TRAILER_MISSING,
            "functional group has no GE trailer",
            at=offset,
            segment_id="GE",
        )
        self._finish_group(None)

    def _finish_group(self, declared: int | None) -> None:
        group, ic = self._group, self._ic
        assert group is not None
        assert ic is not None
        self._out.append(
            GroupSummary(
                interchange=ic.header,
                group=group.header,
                interchange_index=ic.index,
                group_index=group.index,
                declared_set_count=declared,
                sets=tuple(group.sets),
                problems=tuple(group.problems),
            )
        )
        self._group = None

    def _finish_interchange(self, declared: int | None, end: int) -> None:
        ic = self._ic
        assert ic is not None
        self._out.append(
            InterchangeSummary(
                header=ic.header,
                interchange_index=ic.index,
                declared_group_count=declared,
                group_count=ic.groups,
                start=ic.header.byte_offset,
                end=end,
                problems=tuple(ic.problems),
            )
        )
        self._ic = None


def warning(kind: str, message: str, where: Location, level: Level = Level.FILE) -> Problem:
    return Problem(kind, level, None, message, where, Severity.WARNING)
