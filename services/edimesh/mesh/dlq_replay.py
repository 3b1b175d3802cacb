"""Replay chosen dead letters to the topic they came from, byte for byte.

    chosen = ReplayFilter(services=frozenset({"validator"}), since=parse_since("2h", now))
    report = await replay_dead_letters(bootstrap, topics, chosen, masker, dry_run=True,
                                       on_letter=print_summary)

The DLQ is read with `read_committed` from its beginning up to the end offsets taken at start
(a snapshot: letters dead-lettered during the run wait for the next one). Each chosen letter's
original key, value and headers go back to its original topic through an idempotent producer
(`acks=all`), plus one header naming the dead letter it came from. The target must be a mesh
topic under the same prefix and never the DLQ itself, since a DLQ record is data, not a command.

Nothing here prints or returns a payload: a `LetterSummary` holds the masked key, sizes, the
triage facts and the error message scrubbed once more.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, cast

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from edimesh.errors import ConfigError, SerializationError, TransientError
from edimesh.mesh import messages
from edimesh.mesh.admin import topic_partitions
from edimesh.mesh.codec import decode
from edimesh.mesh.kafka_security import client_options
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topic_reader import read_from_start, state_consumer
from edimesh.mesh.topics import FILES_STAGED, MAX_MESSAGE_BYTES, TRANSACTIONS, MeshTopics
from edimesh.telemetry.masking import Masker, MaskLabel
from edimesh.telemetry.redaction import scrub

# Added to every replayed message: `<dlq topic>/<partition>/<offset>` of its dead letter.
REPLAYED_FROM_HEADER = "edimesh.dlq.replayed-from"

_DURATION = re.compile(r"^(\d{1,6})([smhd])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CLIENT_ID = "edimesh-dlq-replay"


@dataclass(frozen=True, slots=True)
class ReplayFilter:
    """Which dead letters to replay; an empty set means "any"."""

    services: frozenset[str] = frozenset()
    error_classes: frozenset[str] = frozenset()  # qualified names or bare class names
    since: datetime | None = None  # failed_at at or after this instant (aware)
    original_topics: frozenset[str] = frozenset()

    def matches(self, letter: messages.DeadLetter) -> bool:
        if self.services and letter["service"] not in self.services:
            return False
        if self.error_classes and not _class_matches(letter["error_class"], self.error_classes):
            return False
        if self.original_topics and letter["original_topic"] not in self.original_topics:
            return False
        return self.since is None or _aware(letter["failed_at"]) >= self.since


def _class_matches(qualified: str, wanted: frozenset[str]) -> bool:
    return qualified in wanted or qualified.rpartition(".")[2] in wanted


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_since(text: str, now: datetime) -> datetime:
    """`30m`, `2h`, `7d` before `now`, or an ISO 8601 date or time (UTC unless it says)."""
    text = text.strip()
    duration = _DURATION.match(text)
    if duration:
        return now - timedelta(seconds=int(duration[1]) * _UNIT_S[duration[2]])
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            "--since takes a duration (30m, 2h, 7d) or an ISO 8601 time (2026-11-24T10:00Z)"
        ) from None
    return _aware(moment)


class LetterSummary(NamedTuple):
    """What may be shown about a dead letter: no key, value or header values."""

    dlq_partition: int
    dlq_offset: int
    failed_at: datetime
    service: str
    error_class: str
    error_message: str  # PHI-free by construction, scrubbed again here
    attempts: int
    original_topic: str
    original_partition: int
    original_offset: int
    key_token: str  # keyed token of the original key, "-" when it had none
    value_bytes: int


def key_label(original_topic: str) -> str:
    """The mask label services use for this topic's keys, so tokens match their logs."""
    if original_topic.endswith(TRANSACTIONS):
        return MaskLabel.IDEMPOTENCY_KEY
    if original_topic.endswith(FILES_STAGED):
        return MaskLabel.FILE_SHA256
    return MaskLabel.MESSAGE_KEY


def summarize(
    letter: messages.DeadLetter, partition: int, offset: int, masker: Masker
) -> LetterSummary:
    key = letter["original_key"]
    value = letter["original_value"]
    return LetterSummary(
        dlq_partition=partition,
        dlq_offset=offset,
        failed_at=_aware(letter["failed_at"]),
        service=letter["service"],
        error_class=letter["error_class"],
        error_message=scrub(letter["error_message"]),
        attempts=letter["attempt_count"],
        original_topic=letter["original_topic"],
        original_partition=letter["original_partition"],
        original_offset=letter["original_offset"],
        key_token="-" if key is None else masker.mask(key_label(letter["original_topic"]), key),
        value_bytes=0 if value is None else len(value),
    )


class ReplayMessage(NamedTuple):
    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]]


def replay_message(
    letter: messages.DeadLetter, dlq_topic: str, partition: int, offset: int
) -> ReplayMessage:
    """The original message as it was consumed, plus the header naming its dead letter."""
    headers = [(h["key"], h["value"]) for h in letter["original_headers"]]
    headers.append((REPLAYED_FROM_HEADER, f"{dlq_topic}/{partition}/{offset}".encode()))
    return ReplayMessage(
        letter["original_topic"], letter["original_key"], letter["original_value"], headers
    )


def replay_targets(topics: MeshTopics) -> frozenset[str]:
    """Topics a dead letter may be replayed to: every mesh topic but the DLQ."""
    return frozenset(spec.name for spec in topics.all()) - {topics.dlq.name}


@dataclass(slots=True)
class ReplayReport:
    read: int = 0
    chosen: int = 0
    replayed: int = 0
    undecodable: list[tuple[int, int]] = field(default_factory=list)  # (partition, offset)
    refused: list[LetterSummary] = field(default_factory=list)  # target not a mesh topic
    limit_reached: bool = False  # the rest of the snapshot was not read


class _Record(NamedTuple):
    partition: int
    offset: int
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


async def _read_snapshot(bootstrap: str, dlq_topic: str) -> AsyncGenerator[_Record, None]:
    """Every committed DLQ record up to the end offsets seen at start, batch by batch (the DLQ
    can hold 30 days of payloads: never all of them in memory)."""
    count = (await topic_partitions(bootstrap)).get(dlq_topic)
    if not count:
        raise ConfigError(f"topic {dlq_topic} does not exist (wrong --prefix or --bootstrap?)")
    async with state_consumer(bootstrap, client_id=_CLIENT_ID) as consumer:
        tps = [TopicPartition(dlq_topic, p) for p in range(count)]
        async for r in read_from_start(consumer, tps):
            yield _Record(r.partition, r.offset, r.value, r.headers)


async def replay_dead_letters(
    bootstrap: str,
    topics: MeshTopics,
    chosen: ReplayFilter,
    masker: Masker,
    *,
    dry_run: bool,
    on_letter: Callable[[LetterSummary], None],
    limit: int | None = None,
) -> ReplayReport:
    """Replay (or with `dry_run` only list) the chosen dead letters; `on_letter` sees each."""
    dlq = topics.dlq.name
    targets = replay_targets(topics)
    report = ReplayReport()
    try:
        producer: Any = None
        if not dry_run:
            producer = AIOKafkaProducer(
                bootstrap_servers=bootstrap,
                client_id=_CLIENT_ID,
                enable_idempotence=True,  # a retried send never lands twice
                acks="all",
                max_request_size=MAX_MESSAGE_BYTES,
                **client_options(),
            )
            await producer.start()
        try:
            sends: list[asyncio.Future[Any]] = []
            async with aclosing(_read_snapshot(bootstrap, dlq)) as snapshot:
                async for record in snapshot:
                    report.read += 1
                    try:
                        decoded = decode(record.value, record.headers, MessageType.DEAD_LETTER)
                    except SerializationError:
                        report.undecodable.append((record.partition, record.offset))
                        continue
                    letter = cast(messages.DeadLetter, decoded)
                    if not chosen.matches(letter):
                        continue
                    summary = summarize(letter, record.partition, record.offset, masker)
                    if letter["original_topic"] not in targets:
                        report.refused.append(summary)
                        continue
                    report.chosen += 1
                    on_letter(summary)
                    if producer is not None:
                        message = replay_message(letter, dlq, record.partition, record.offset)
                        sends.append(await producer.send(message.topic, message.value,
                                     key=message.key, headers=message.headers))  # fmt: skip
                    if limit is not None and report.chosen >= limit:
                        report.limit_reached = True
                        break  # the rest of the snapshot is not even fetched
            for sent in sends:
                await sent
                report.replayed += 1
        finally:
            if producer is not None:
                await producer.stop()
    except KafkaError as exc:
        raise TransientError(
            f"Kafka at {bootstrap} failed during replay ({type(exc).__name__})"
        ) from exc
    return report
