"""What the mesh has done so far, counted from its committed output records (pure, no I/O).

`Tally.add(kind, key, record)` takes one decoded record of a watched topic; `done(...)` says
whether every fed file is staged, split and every set routed (and every group acknowledged,
when the acknowledger runs). Keys are kept only in memory, never printed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from edimesh.acknowledger.answer import ACKNOWLEDGMENT_GROUP
from edimesh.mesh.topics import FILES_STAGED


class Kind(StrEnum):
    """The topics the local run watches."""

    STAGED = "staged"
    TRANSACTIONS = "transactions"
    PROGRESS = "progress"
    MANIFESTS = "manifests"
    VALIDATED = "validated"
    QUARANTINE = "quarantine"
    DLQ = "dlq"
    ACKS = "acks"


@dataclass
class Tally:
    """Counts over the committed records seen so far."""

    staged: set[str] = field(default_factory=set)  # file ids
    sets: set[str] = field(default_factory=set)  # idempotency keys on edi.transactions
    set_records: int = 0  # records on edi.transactions (a key may repeat in user files)
    routed: set[str] = field(default_factory=set)  # keys with a validator outcome
    groups: set[str] = field(default_factory=set)  # group keys with a manifest, but FA groups
    files_done: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> (ics, sets)
    files_failed: set[str] = field(default_factory=set)  # staged files the splitter dead-lettered
    validated: int = 0
    claims: int = 0
    quarantined: Counter[str] = field(default_factory=Counter)  # "SCOPE/CATEGORY"
    dlq: Counter[str] = field(default_factory=Counter)  # by service
    acks: Counter[str] = field(default_factory=Counter)  # "TA1 E", "999 A", ...
    findings: Counter[str] = field(default_factory=Counter)  # quarantine error codes

    def add(self, kind: Kind, record: dict[str, Any]) -> None:
        """Count one decoded record of the topic `kind` stands for."""
        match kind:
            case Kind.STAGED:
                self.staged.add(record["file_id"])
            case Kind.TRANSACTIONS:
                self.sets.add(record["idempotency_key"])
                self.set_records += 1
            case Kind.PROGRESS:
                if record["done"]:
                    self.files_done[record["file_id"]] = (
                        record["interchanges_decided"],
                        record["sets"],
                    )
            case Kind.MANIFESTS:
                if record["envelope"]["gs01"] != ACKNOWLEDGMENT_GROUP:  # never answered
                    self.groups.add(record["group_key"])
            case Kind.VALIDATED:
                self.validated += 1
                self.claims += int(record["summary"]["claim_count"])
                self.routed.add(record["idempotency_key"])
            case Kind.QUARANTINE:
                self.quarantined[f"{record['scope']}/{record['category']}"] += 1
                self.findings.update(error["code"] for error in record["errors"])
                if record["scope"] == "TRANSACTION_SET":
                    self.routed.add(record["idempotency_key"])
            case Kind.DLQ:
                self.dlq[str(record["service"])] += 1
                raw_key = record["original_key"]
                if raw_key is not None:
                    key = raw_key.decode("utf-8", "replace")
                    self.routed.add(key)
                    if record["original_topic"].endswith(FILES_STAGED):
                        self.files_failed.add(key)
            case Kind.ACKS:
                label = "TA1" if record["kind"] == "TA1" else "999"
                self.acks[f"{label} {record['status']}"] += 1

    # ---------------------------------------------------------------- derived counts
    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())

    @property
    def quarantined_sets(self) -> int:
        return sum(
            n for label, n in self.quarantined.items() if label.startswith("TRANSACTION_SET/")
        )

    @property
    def dlq_total(self) -> int:
        return sum(self.dlq.values())

    @property
    def interchanges(self) -> int:
        return sum(ics for ics, _ in self.files_done.values())

    def ack_count(self, label: str) -> int:
        return sum(n for name, n in self.acks.items() if name.split()[0] == label)

    @property
    def files_finished(self) -> int:
        """Staged files the splitter is done with (split, or dead-lettered)."""
        return len(self.staged & (set(self.files_done) | self.files_failed))

    @property
    def unrouted(self) -> int:
        return len(self.sets - self.routed)

    def done(self, files_fed: int, *, expect_999s: bool) -> bool:
        """Every fed file staged and split (or dead-lettered), every set routed, and with
        an acknowledger, a 999 for every group."""
        finished = set(self.files_done) | self.files_failed
        if len(self.staged) < files_fed or not self.staged <= finished:
            return False
        if sum(sets for _, sets in self.files_done.values()) > self.set_records or self.unrouted:
            return False
        return not expect_999s or self.ack_count("999") >= len(self.groups)
