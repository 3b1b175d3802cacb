"""Bounded state on the real broker: what the splitter's and the acknowledger's state readers
keep from windowed (compact,delete) topics holding old and recent records.

Old records carry a Kafka timestamp 400 days back and share their segment with recent ones, so
the broker's own retention (which goes by a segment's newest timestamp) leaves them in place
and the readers' windows are what is tested.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition

from edimesh.acknowledger.rebuild import rebuild
from edimesh.acknowledger.state import Done
from edimesh.mesh.codec import encode
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import DAY_MS, mesh_topics
from edimesh.splitter.kafka_state import LedgerTail, read_progress
from edimesh.splitter.ledger import InterchangeLedger, LedgerEntry
from tests.integration.kafka_helpers import TopicFactory
from tests.unit.mesh_samples import SAMPLES

OLD_MS = int(time.time() * 1000) - 400 * DAY_MS
TOPICS = mesh_topics()


async def _produce(
    bootstrap: str, topic: str, records: list[tuple[bytes, bytes | None, Any, int]]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for key, value, headers, timestamp_ms in records:
            await producer.send_and_wait(topic, value, key=key, partition=0, headers=headers,
                                         timestamp_ms=timestamp_ms)  # fmt: skip
    finally:
        await producer.stop()


def _ledger_record(n: int, at_ms: int) -> tuple[bytes, bytes | None, Any, int]:
    key = f"S|R|{n:09d}"
    accepted_at = datetime.fromtimestamp(at_ms / 1000, tz=UTC)
    entry: dict[str, Any] = {**SAMPLES[MessageType.INTERCHANGE_LEDGER_ENTRY],
                             "interchange_key": key, "file_id": f"file-{n}",
                             "accepted_at": accepted_at}  # fmt: skip
    value, headers = encode(MessageType.INTERCHANGE_LEDGER_ENTRY, entry)
    return (key.encode(), value, headers, at_ms)


async def test_the_ledger_loads_only_keys_inside_the_window(
    kafka_bootstrap: str, make_topic: TopicFactory
) -> None:
    topic = await make_topic(config=TOPICS.interchange_ledger.configs)
    now_ms = int(time.time() * 1000)
    records = [_ledger_record(n, OLD_MS) for n in range(5)]
    records += [_ledger_record(n, now_ms - 10 * DAY_MS) for n in range(5, 8)]
    await _produce(kafka_bootstrap, topic, records)
    ledger = InterchangeLedger(365 * DAY_MS)
    tail = LedgerTail(kafka_bootstrap, topic, 1, ledger)
    await tail.start()
    try:
        assert len(ledger) == 3
        assert ledger.accepted("S|R|000000000") is None
        assert ledger.accepted("S|R|000000006") == LedgerEntry("file-6", 1)
    finally:
        await tail.stop()


def _progress_record(file_id: str, *, done: bool, at: datetime) -> tuple[bytes, bytes, Any, int]:
    progress: dict[str, Any] = {
        **SAMPLES[MessageType.SPLITTER_PROGRESS], "file_id": file_id, "source_partition": 0,
        "done": done, "updated_at": at}  # fmt: skip
    value, headers = encode(MessageType.SPLITTER_PROGRESS, progress)
    return (file_id.encode(), value, headers, int(at.timestamp() * 1000))


async def test_progress_of_files_finished_before_the_window_is_not_loaded(
    kafka_bootstrap: str, make_topic: TopicFactory
) -> None:
    topic = await make_topic(config=TOPICS.splitter_progress.configs)
    now = datetime.now(UTC)
    old = now - timedelta(days=400)
    await _produce(kafka_bootstrap, topic, [
        _progress_record("old-done", done=True, at=old),
        _progress_record("old-unfinished", done=False, at=old),
        _progress_record("recent-done", done=True, at=now - timedelta(days=2)),
    ])  # fmt: skip
    found = await read_progress(
        kafka_bootstrap, TopicPartition(topic, 0), source_topic="edi.files.staged",
        source_partition=0, timeout_s=30, done_retention_ms=30 * DAY_MS,
    )  # fmt: skip
    assert sorted(found) == ["old-unfinished", "recent-done"]
    assert found["recent-done"].updated_at is not None
    everything = await read_progress(
        kafka_bootstrap, TopicPartition(topic, 0), source_topic="edi.files.staged",
        source_partition=0, timeout_s=30,
    )  # fmt: skip
    assert sorted(everything) == ["old-done", "old-unfinished", "recent-done"]


def _done_record(group_key: str, at_ms: int) -> tuple[bytes, bytes, Any, int]:
    value = b'{"control_number": "000000001", "digest": "abc", "timed_out": false}'
    return (f"d|{group_key}".encode(), value, [], at_ms)


async def test_the_acknowledger_rebuild_skips_done_groups_before_the_window(
    kafka_bootstrap: str, make_topic: TopicFactory
) -> None:
    topic = await make_topic(config=TOPICS.acknowledger_state.configs)
    now_ms = int(time.time() * 1000)
    await _produce(kafka_bootstrap, topic, [
        _done_record("old-1", OLD_MS), _done_record("old-2", OLD_MS),
        (b"s", b'{"next": 7}', [], OLD_MS),
        _done_record("recent", now_ms - DAY_MS),
    ])  # fmt: skip
    state = await rebuild(kafka_bootstrap, TopicPartition(topic, 0), 1, timeout_s=30,
                          done_retention_ms=30 * DAY_MS)  # fmt: skip
    assert state.done == {"recent": Done("000000001", False)}
    assert state.done["recent"].at_ms == now_ms - DAY_MS
    assert state.sequence == 7  # the sequence never ages out of memory...
    assert state.sequence_stale(now_ms, DAY_MS)  # ...and an old one is rewritten at once
