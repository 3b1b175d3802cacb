"""A per-file check report built from the core's events, in bounded memory.

It keeps envelope ids, codes, counts and positions: never element values of the content.
Per-set detail is kept for sets with problems only, up to a cap, so a file of millions of
sets still makes a small report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from edimesh.x12.events import (
    Event,
    GroupSummary,
    InterchangeSummary,
    StreamEnd,
    TransactionSetUnit,
)
from edimesh.x12.problems import Problem, Severity

if TYPE_CHECKING:
    from edimesh.validation import ValidationResult

MAX_PROBLEMS = 1000


def problem_dict(problem: Problem) -> dict[str, Any]:
    location = {k: v for k, v in asdict(problem.location).items() if v is not None}
    return {
        "kind": problem.kind,
        "level": str(problem.level),
        "severity": str(problem.severity),
        "code": problem.code,
        "message": problem.message,
        "location": location,
    }


class FileReport:
    """Feed it every event of one file with `add`; read it with `as_dict`."""

    def __init__(self, path: str, max_problems: int = MAX_PROBLEMS) -> None:
        self.path = path
        self._max_problems = max_problems
        self._problems: list[dict[str, Any]] = []
        self._omitted = 0
        self.errors = 0
        self.warnings = 0
        self._interchanges: list[dict[str, Any]] = []
        self._groups: list[dict[str, Any]] = []
        self._set_types: Counter[str] = Counter()
        self._end: StreamEnd | None = None
        self._routes: Counter[str] = Counter()  # --level full: validated / schema / business
        self._notes: set[str] = set()  # info findings (code sets not loaded), once each
        self.infos = 0

    @property
    def clean(self) -> bool:
        return self.errors == 0

    def add(self, event: Event) -> None:
        if isinstance(event, TransactionSetUnit):
            self._set_types[event.st01] += 1
            self._note(event.problems)
        elif isinstance(event, GroupSummary):
            self._note(event.problems)
            types = Counter(s.st01 for s in event.sets)
            self._groups.append({
                "interchange": event.interchange_index,
                "index": event.group_index,
                "functional_id": event.group.functional_id,
                "control_number": event.group.control_number,
                "version": event.group.version,
                "sets": len(event.sets),
                "set_types": dict(sorted(types.items())),
                "rejected_sets": sum(1 for s in event.sets if any(p.is_error for p in s.problems)),
                "accepted": event.accepted,
            })
        elif isinstance(event, InterchangeSummary):
            self._note(event.problems)
            header = event.header
            groups = [g for g in self._groups if g["interchange"] == event.interchange_index]
            self._groups = [g for g in self._groups if g["interchange"] != event.interchange_index]
            self._interchanges.append({
                "index": event.interchange_index,
                "sender_id": header.sender_id if header else None,
                "receiver_id": header.receiver_id if header else None,
                "control_number": header.control_number if header else None,
                "version": header.version if header else None,
                "delimiters": header.delimiters.describe() if header else None,
                "groups": groups,
                "ta1_code": event.ta1_code,
                "accepted": event.accepted,
                "byte_range": [event.start, event.end],
            })
        else:
            self._note(event.problems)
            self._end = event

    def add_validation(self, unit: TransactionSetUnit, result: ValidationResult) -> None:
        """The SNIP 1-5 findings of one set (``edimesh check --level full``)."""
        self._routes[result.route] += 1
        for finding in result.findings:
            if finding.severity == "info":
                self.infos += 1
                self._notes.add(finding.message)
                continue
            if finding.severity == "error":
                self.errors += 1
            else:
                self.warnings += 1
            if len(self._problems) >= self._max_problems:
                self._omitted += 1
                continue
            location = {
                "interchange": unit.interchange_index,
                "group": unit.group_index,
                "transaction_set": unit.set_index,
                "segment_position": finding.segment_position,
                "segment_id": finding.segment_id,
                "loop_id": finding.loop_id,
                "element_ref": finding.element_ref,
                "byte_offset": finding.byte_offset,
            }
            self._problems.append({
                "kind": finding.rule,
                "level": "set",
                "severity": str(finding.severity),
                "snip": int(finding.snip),
                "code": finding.ik403 or finding.ik304 or finding.ik502,
                "message": finding.message,
                "location": {k: v for k, v in location.items() if v is not None},
            })

    def _note(self, problems: tuple[Problem, ...]) -> None:
        for problem in problems:
            if problem.severity is Severity.ERROR:
                self.errors += 1
            else:
                self.warnings += 1
            if len(self._problems) < self._max_problems:
                self._problems.append(problem_dict(problem))
            else:
                self._omitted += 1

    def as_dict(self) -> dict[str, Any]:
        end = self._end
        return {
            "file": self.path,
            "status": "clean" if self.clean else "problems",
            "bytes": end.bytes_read if end else None,
            "interchanges": self._interchanges,
            "totals": {
                "interchanges": end.interchanges if end else 0,
                "groups": end.groups if end else 0,
                "sets": end.sets if end else 0,
                "segments": end.segments if end else 0,
                "set_types": dict(sorted(self._set_types.items())),
                "errors": self.errors,
                "warnings": self.warnings,
            },
            "problems": self._problems,
            "problems_omitted": self._omitted,
            **({"validation": {"routes": dict(sorted(self._routes.items())),
                               "infos": self.infos, "notes": sorted(self._notes)}}
               if self._routes else {}),
        }
