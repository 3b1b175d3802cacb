"""The pure splitter handler: X12 core events of one staged file in, messages out.

    split = FileSplit(context, ledger, prior=verdicts_from_progress)
    for event in events:
        outputs = split.feed(event)

No I/O, no clock, no Kafka. Its outputs are a deterministic function of the file's events and
of the duplicate verdicts, which is what lets the service resume a file after a crash by
re-scanning it and skipping the outputs it already committed: `verdicts` is recorded with each
batch, and a resumed split replays those verdicts instead of asking the ledger again (the
ledger may have changed since, but the committed prefix must not).

Per event:
- TransactionSetUnit: a TransactionSet (inline body, or a BodyRef for big sets); a set whose
  ST02 repeats in its group would collide on its key, so it goes to quarantine instead.
- GroupSummary: a GroupManifest for the acknowledger's 999.
- InterchangeSummary with errors: a TA1 (TA104=E: sound sets still flow) and a Quarantined
  record for the interchange. Its ISA unreadable: nothing can answer it; noted for the file.
- StreamEnd: a Quarantined record for the file when it has file-level errors.
- The first event of an interchange settles whether it is a duplicate. Accepted: a ledger
  entry. Duplicate (its key accepted from another file, or earlier in this one): nothing but
  a TA1 025 (TA104=R) and a Quarantined record when its summary arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edimesh.mesh import messages
from edimesh.mesh.schemas import MessageType
from edimesh.splitter.ledger import LedgerEntry, LedgerLookup, ledger_key
from edimesh.splitter.outputs import Destination, Output
from edimesh.splitter.records import (
    FileContext,
    delimiters_record,
    envelope_context,
    envelope_problem,
    errors_of,
)
from edimesh.splitter.rejections import (
    duplicate_problem,
    quarantine_file,
    quarantine_set,
    reject_interchange,
)
from edimesh.x12 import problems as codes
from edimesh.x12.events import (
    Event,
    GroupHeader,
    GroupSummary,
    InterchangeHeader,
    InterchangeSummary,
    StreamEnd,
    TransactionSetUnit,
)
from edimesh.x12.problems import Problem
from edimesh.x12.ta1 import Ta1Status

MAX_FILE_PROBLEMS = 1000  # a garbage file can hold any number of unreadable ISAs
_NOT_EMITTED = frozenset({"st02_duplicate"})  # the set's key would collide with another set


@dataclass(frozen=True, slots=True)
class Verdicts:
    """Duplicate verdicts settled so far: interchanges 1..decided, and which were duplicates."""

    decided: int = 0
    duplicates: frozenset[int] = frozenset()


@dataclass(slots=True)
class _Group:
    ordinals: tuple[int, int]  # interchange, group
    group_key: str  # ISA06|ISA08|ISA13|GS06, computed once per group
    envelope: messages.EnvelopeContext
    emitted: int = 0


@dataclass(slots=True)
class FileSplit:
    """Turns one file's events into messages. Feed every event in order, once."""

    context: FileContext
    ledger: LedgerLookup
    prior: Verdicts = field(default_factory=Verdicts)
    _duplicate: dict[int, bool] = field(default_factory=dict)
    _accepted_here: dict[str, int] = field(default_factory=dict)  # key -> first ordinal
    _group: _Group | None = None
    _delimiters: tuple[int, messages.Delimiters] | None = None
    _unreadable: list[Problem] = field(default_factory=list)
    sets_emitted: int = 0

    @property
    def verdicts(self) -> Verdicts:
        decided = max(self._duplicate, default=0)
        dup = frozenset(i for i, is_dup in self._duplicate.items() if is_dup)
        return Verdicts(max(decided, self.prior.decided), dup | self.prior.duplicates)

    def feed(self, event: Event) -> list[Output]:
        if isinstance(event, TransactionSetUnit):
            return self._set(event)
        if isinstance(event, GroupSummary):
            return self._group_summary(event)
        if isinstance(event, InterchangeSummary):
            return self._interchange(event)
        return self._end(event)

    # ------------------------------------------------------------------ duplicates

    def _settle(self, index: int, header: InterchangeHeader) -> tuple[bool, list[Output]]:
        """(is duplicate, outputs): the ledger entry when the interchange is first accepted."""
        known = self._duplicate.get(index)
        if known is not None:
            return known, []
        key = ledger_key(header)
        if index <= self.prior.decided:
            duplicate = index in self.prior.duplicates
        elif key is None:
            duplicate = False
        elif key in self._accepted_here:  # the ledger learns of it only when it commits
            duplicate = True
        else:
            seen = self.ledger.accepted(key)
            duplicate = seen is not None and seen != LedgerEntry(self.context.file_id, index)
        self._duplicate[index] = duplicate
        if duplicate or key is None:
            return duplicate, []
        self._accepted_here.setdefault(key, index)
        entry: messages.InterchangeLedgerEntry = {
            "interchange_key": key,
            "file_id": self.context.file_id,
            "interchange_index": index,
            "partner": self.context.partner,
            "accepted_at": self.context.started_at,
        }
        return False, [
            Output(Destination.INTERCHANGE_LEDGER, MessageType.INTERCHANGE_LEDGER_ENTRY, key, entry)
        ]

    # ------------------------------------------------------------------ events

    def _set(self, unit: TransactionSetUnit) -> list[Output]:
        duplicate, out = self._settle(unit.interchange_index, unit.interchange)
        if duplicate:
            return out
        group = self._group_of(unit.interchange, unit.group, unit.interchange_index,
                               unit.group_index)  # fmt: skip
        ctx = self.context
        body: bytes | messages.BodyRef
        if unit.raw is not None:
            body = unit.raw
        else:
            assert unit.reference is not None, "the core gives bytes or a reference"
            body = ctx.slice(unit.reference)
        errors = errors_of(unit.problems)
        key = f"{group.group_key}|{unit.st02}"  # = unit.idempotency_key, without recomputing
        if any(p.kind in _NOT_EMITTED for p in errors):
            out.append(quarantine_set(ctx, key, unit.st01, body, errors))
            return out
        record: messages.TransactionSet = {
            "idempotency_key": key,
            "group_key": group.group_key,
            "file_id": ctx.file_id,
            "partner": ctx.partner,
            "st01": unit.st01,
            "st02": unit.st02,
            "st03": unit.st03 or None,
            "gs08": unit.group.version,
            "envelope": group.envelope,
            "delimiters": self._delimiters_of(unit.interchange_index, unit.interchange),
            "segment_count": unit.segment_count,
            "byte_offset": unit.start,
            "body": body,
            "problems": [envelope_problem(p) for p in errors],
        }
        group.emitted += 1
        self.sets_emitted += 1
        out.append(
            Output(Destination.TRANSACTIONS, MessageType.TRANSACTION_SET, key, record, unit.end)
        )
        return out

    def _group_summary(self, summary: GroupSummary) -> list[Output]:
        duplicate, out = self._settle(summary.interchange_index, summary.interchange)
        if duplicate:
            return out
        group = self._group_of(summary.interchange, summary.group, summary.interchange_index,
                               summary.group_index)  # fmt: skip
        problems = errors_of(summary.problems)
        for outcome in summary.sets:  # sets not emitted are reported here, for the 999
            if any(p.kind in _NOT_EMITTED for p in outcome.problems):
                problems.extend(errors_of(outcome.problems))
        manifest: messages.GroupManifest = {
            "group_key": summary.group_key,
            "file_id": self.context.file_id,
            "partner": self.context.partner,
            "envelope": group.envelope,
            "set_count": len(summary.sets),
            "emitted_count": group.emitted,
            "declared_count": summary.declared_set_count,
            "byte_offset": summary.group.byte_offset,
            "problems": [envelope_problem(p) for p in problems],
        }
        self._group = None
        out.append(Output(Destination.GROUP_MANIFESTS, MessageType.GROUP_MANIFEST,
                          summary.group_key, manifest))  # fmt: skip
        return out

    def _interchange(self, summary: InterchangeSummary) -> list[Output]:
        header = summary.header
        if header is None:  # the ISA itself is unusable: no TA1 can name it
            self._note_unreadable(errors_of(summary.problems))
            return []
        index = summary.interchange_index
        duplicate, out = self._settle(index, header)
        errors = errors_of(summary.problems)
        if duplicate:
            errors.insert(0, duplicate_problem(index, header))
            return out + reject_interchange(
                self.context, index, header, status=Ta1Status.REJECTED,
                code=codes.TA1_DUPLICATE_INTERCHANGE, errors=errors,
            )  # fmt: skip
        if summary.ta1_code != "000":  # sound sets flowed: accepted with errors
            out += reject_interchange(
                self.context, index, header, status=Ta1Status.ACCEPTED_WITH_ERRORS,
                code=summary.ta1_code, errors=errors,
            )  # fmt: skip
        return out

    def _end(self, end: StreamEnd) -> list[Output]:
        self._note_unreadable(errors_of(end.problems))
        if not self._unreadable:
            return []
        return [quarantine_file(self.context, self._unreadable)]

    # ------------------------------------------------------------------ helpers

    def _note_unreadable(self, problems: list[Problem]) -> None:
        room = MAX_FILE_PROBLEMS - len(self._unreadable)
        self._unreadable.extend(problems[: max(room, 0)])

    def _group_of(
        self, ic: InterchangeHeader, gs: GroupHeader, ic_index: int, gs_index: int
    ) -> _Group:
        group = self._group
        if group is None or group.ordinals != (ic_index, gs_index):
            group_key = f"{ic.interchange_key}|{gs.control_number}"
            group = _Group((ic_index, gs_index), group_key, envelope_context(ic, gs))
            self._group = group
        return group

    def _delimiters_of(self, index: int, header: InterchangeHeader) -> messages.Delimiters:
        cached = self._delimiters
        if cached is None or cached[0] != index:
            cached = (index, delimiters_record(header.delimiters))
            self._delimiters = cached
        return cached[1]
