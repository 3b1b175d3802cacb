"""Every Kafka topic of the mesh, declared once.

    topics = mesh_topics(prefix="t-1a2b.", partitions=1)
    topics.transactions.name          # "t-1a2b.edi.transactions"
    await ensure_topics(bootstrap, topics.all())

Streams (`cleanup.policy=delete`) carry the flow; ledgers and progress (`compact`) keep the
latest value per key for the services' dedupe and resume logic. A ledger with a retention
(`compact,delete`) also drops every entry older than it, so it stops growing: the services
forget the same entries from memory after the same window (their `*_RETENTION_DAYS` settings).
All topics are zstd-compressed on the broker and accept messages up to MAX_MESSAGE_BYTES, so
producers should set `max_request_size=MAX_MESSAGE_BYTES` and consumers
`max_partition_fetch_bytes=MAX_MESSAGE_BYTES`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from enum import StrEnum

from edimesh.errors import ConfigError
from edimesh.mesh.schemas import MessageType

MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # matches the local broker's message.max.bytes
_DAY_MS = 24 * 60 * 60 * 1000
DAY_MS = _DAY_MS
# Kafka's log.roll.hours default: a stream without segment.ms rolls a segment at most this late,
# and retention deletes whole segments, so a record can outlive retention.ms by this much.
BROKER_SEGMENT_MS = 7 * _DAY_MS
# Retention of the windowed ledgers; the services' default memory windows match these.
INTERCHANGE_LEDGER_DAYS = 365  # ISA13 reuse by a partner within a year is a duplicate
SPLITTER_PROGRESS_DAYS = 30  # > the files_staged stream's reach (7 days + a segment)
ACKNOWLEDGER_STATE_DAYS = 30  # > the reach of the acknowledger's inputs (see docs)
GROUP_MANIFESTS_DAYS = 7  # as long as set_results: a manifest is only joined with its results
STAGED_LEDGER_DAYS = 90  # same bytes resent later: staged anew, the splitter still dedupes
_LEGAL_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")

# Base names; a prefix is prepended to each for isolation (tests, tenants).
FILES_STAGED = "edi.files.staged"
TRANSACTIONS = "edi.transactions"
VALIDATED = "edi.validated"
QUARANTINE = "edi.quarantine"
DLQ = "edi.dlq"
ACKS = "edi.acks"
STAGED_LEDGER = "edi.ledger.staged-files"
INTERCHANGE_LEDGER = "edi.ledger.interchanges"
SPLITTER_PROGRESS = "edi.progress.splitter"
GROUP_MANIFESTS = "edi.acknowledger.group-manifests"
SET_RESULTS = "edi.acknowledger.set-results"
ACKNOWLEDGER_STATE = "edi.acknowledger.state"


class CleanupPolicy(StrEnum):
    DELETE = "delete"  # a stream: old segments expire after retention.ms
    COMPACT = "compact"  # a ledger: the latest value per key is kept
    COMPACT_DELETE = "compact,delete"  # a windowed ledger: latest per key, none past retention.ms


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One topic: its full (prefixed) name, layout and broker configs."""

    name: str
    partitions: int
    replication_factor: int
    cleanup_policy: CleanupPolicy
    retention_ms: int | None  # None for compact-only topics: entries live until superseded
    value_schema: MessageType | None  # None: payload owned by the service that uses it
    doc: str

    @property
    def configs(self) -> dict[str, str]:
        """Topic-level configs as the broker takes them."""
        configs = {
            "cleanup.policy": self.cleanup_policy.value,
            "compression.type": "zstd",
            "max.message.bytes": str(MAX_MESSAGE_BYTES),
            # With 3 replicas, acks=all survives one broker down; never ask more than exist.
            "min.insync.replicas": str(max(1, min(2, self.replication_factor - 1))),
        }
        if self.retention_ms is not None:
            configs["retention.ms"] = str(self.retention_ms)
        if self.cleanup_policy is not CleanupPolicy.DELETE:
            configs["segment.ms"] = str(_DAY_MS)  # roll daily so compaction can run
            configs["delete.retention.ms"] = str(_DAY_MS)  # tombstones seen by slow readers
        return configs

    @property
    def max_record_age_ms(self) -> int | None:
        """How old a record can get before retention deletes it (its segment must roll
        first); None when records are never deleted for age."""
        if self.retention_ms is None:
            return None
        segment = _DAY_MS if self.cleanup_policy is not CleanupPolicy.DELETE else BROKER_SEGMENT_MS
        return self.retention_ms + segment


@dataclass(frozen=True, slots=True)
class MeshTopics:
    """All mesh topics for one prefix."""

    files_staged: TopicSpec
    transactions: TopicSpec
    validated: TopicSpec
    quarantine: TopicSpec
    dlq: TopicSpec
    acks: TopicSpec
    staged_ledger: TopicSpec
    interchange_ledger: TopicSpec
    splitter_progress: TopicSpec
    group_manifests: TopicSpec
    set_results: TopicSpec
    acknowledger_state: TopicSpec

    def all(self) -> tuple[TopicSpec, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))

    def by_name(self, name: str) -> TopicSpec:
        for spec in self.all():
            if name == spec.name:
                return spec
        raise KeyError(name)


def _stream(name: str, partitions: int, days: int, schema: MessageType, doc: str) -> TopicSpec:
    return TopicSpec(name, partitions, 1, CleanupPolicy.DELETE, days * _DAY_MS, schema, doc)


def _ledger(
    name: str, partitions: int, schema: MessageType | None, doc: str, days: int | None = None
) -> TopicSpec:
    if days is None:
        return TopicSpec(name, partitions, 1, CleanupPolicy.COMPACT, None, schema, doc)
    return TopicSpec(name, partitions, 1, CleanupPolicy.COMPACT_DELETE, days * _DAY_MS, schema,
                     doc)  # fmt: skip


# Defaults sized for production throughput; tests and the laptop override partitions.
_M = MessageType
# fmt: off
BASE = MeshTopics(
    #                     name                partitions, retention days, payload schema
    files_staged=_stream(FILES_STAGED,       3, 7, _M.FILE_STAGED,
                         "One event per staged file; key = file sha256."),
    transactions=_stream(TRANSACTIONS,      12, 7, _M.TRANSACTION_SET,
                         "One message per transaction set; key = idempotency key."),
    validated=_stream(VALIDATED,            12, 7, _M.VALIDATED_TRANSACTION,
                      "Valid sets as normalized JSON; key = idempotency key."),
    quarantine=_stream(QUARANTINE,           3, 30, _M.QUARANTINED,
                       "Envelope/schema/business failures for review; holds PHI."),
    dlq=_stream(DLQ,                         3, 30, _M.DEAD_LETTER,
                "Undecodable or poison input, retries exhausted; holds PHI."),
    acks=_stream(ACKS,                       3, 30, _M.ACKNOWLEDGMENT,
                 "TA1 and 999 acknowledgments to deliver to partners."),
    #                     name                partitions, payload schema (None: service-owned),
    #                                         retention days (None: compact only)
    staged_ledger=_ledger(STAGED_LEDGER,     3, _M.FILE_STAGED,
                          "Transfer dedupe: sha256 of every file staged in the last 90 days.",
                          STAGED_LEDGER_DAYS),
    interchange_ledger=_ledger(INTERCHANGE_LEDGER, 3, _M.INTERCHANGE_LEDGER_ENTRY,
                               "Accepted interchanges (ISA06|ISA08|ISA13) for duplicate checks.",
                               INTERCHANGE_LEDGER_DAYS),
    splitter_progress=_ledger(SPLITTER_PROGRESS, 3, _M.SPLITTER_PROGRESS,
                              "Splitter resume point per file, committed with its output.",
                              SPLITTER_PROGRESS_DAYS),
    group_manifests=_ledger(GROUP_MANIFESTS, 3, _M.GROUP_MANIFEST,
                            "Per functional group facts for the 999; key = group key.",
                            GROUP_MANIFESTS_DAYS),
    set_results=_stream(SET_RESULTS,         3, 7, _M.SET_RESULT,
                        "Per transaction set outcome for the 999; key = group key."),
    acknowledger_state=_ledger(ACKNOWLEDGER_STATE, 3, None,
                               "Acknowledger join state changelog; partition = input partition.",
                               ACKNOWLEDGER_STATE_DAYS),
)
# fmt: on


def topic_name(base: str, prefix: str = "") -> str:
    """The full name of a base topic name under `prefix`, checked against Kafka's rules."""
    name = f"{prefix}{base}"
    if not _LEGAL_NAME.match(name) or name in {".", ".."}:
        raise ConfigError(f"illegal topic name {name!r}: use letters, digits, '.', '_', '-'")
    return name


def mesh_topics(
    prefix: str = "",
    *,
    partitions: int | None = None,
    replication_factor: int = 1,
    overrides: Mapping[str, int] | None = None,
) -> MeshTopics:
    """The mesh topics under `prefix`.

    `partitions` sets every topic's partition count; `overrides` maps base names to a count
    and wins over it. `replication_factor` is 1 for a single local broker, 3 in production.
    """
    if replication_factor < 1:
        raise ConfigError("replication factor must be at least 1")
    overrides = dict(overrides or {})
    unknown = overrides.keys() - {spec.name for spec in BASE.all()}
    if unknown:
        raise ConfigError(f"partition overrides name unknown topics: {sorted(unknown)}")
    specs = {}
    for f in fields(BASE):
        base: TopicSpec = getattr(BASE, f.name)
        count = overrides.get(base.name, base.partitions if partitions is None else partitions)
        if count < 1:
            raise ConfigError(f"partition count for {base.name} must be at least 1")
        specs[f.name] = replace(
            base,
            name=topic_name(base.name, prefix),
            partitions=count,
            replication_factor=replication_factor,
        )
    return MeshTopics(**specs)
