"""The staged-files ledger window on the real broker: content whose ledger entry is older
than EDIMESH_TRANSFER_LEDGER_RETENTION_DAYS is staged again; recent content is a duplicate.

The ledger entries are written before the service starts, in ONE batch, so they share a segment
whose newest timestamp is recent: the broker's own retention (which goes by a segment's newest
timestamp) keeps the old entry, and the service's window is what is tested.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from edimesh.mesh.admin import ensure_topics
from edimesh.mesh.codec import encode
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import DAY_MS, mesh_topics
from edimesh.transfer.ledger import StagedLedger, read_ledger
from tests.integration.kafka_helpers import read_all, started
from tests.integration.sftp.harness import Mesh, PartnerBox, running, wait_for
from tests.unit.mesh_samples import SAMPLES

pytestmark = [pytest.mark.sftp, pytest.mark.kafka]


async def _write_ledger(bootstrap: str, topic: str, entries: list[tuple[str, int]]) -> None:
    """(file id, Kafka timestamp ms) entries, as one batch on partition 0."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    async with started(producer):
        batch = producer.create_batch()
        for file_id, timestamp_ms in entries:
            event: dict[str, Any] = {**SAMPLES[MessageType.FILE_STAGED], "file_id": file_id}
            value, headers = encode(MessageType.FILE_STAGED, event)
            appended = batch.append(key=file_id.encode(), value=value, timestamp=timestamp_ms,
                                    headers=headers)  # fmt: skip
            assert appended is not None, "the batch is full"
        batch.close()
        await (await producer.send_batch(batch, topic, partition=0))


async def test_content_staged_before_the_window_is_staged_again(
    kafka_bootstrap: str, partner_box: Callable[[], PartnerBox], tmp_path: Path
) -> None:
    box = partner_box()
    old_id = box.drop("old.x12", os.urandom(2000))
    recent_id = box.drop("recent.x12", os.urandom(3000))
    mesh = Mesh.fresh(kafka_bootstrap)
    topics = mesh_topics(mesh.prefix)
    ledger_topic = topics.staged_ledger.name
    await ensure_topics(kafka_bootstrap, [topics.files_staged, topics.staged_ledger])
    now_ms = int(time.time() * 1000)
    old_ms = now_ms - 400 * DAY_MS
    await _write_ledger(
        kafka_bootstrap, ledger_topic, [(old_id, old_ms), (recent_id, now_ms - 10 * DAY_MS)]
    )
    # Without a window, both entries load: the old one really is in the topic.
    everything = await read_ledger(kafka_bootstrap, ledger_topic)
    assert (old_id in everything, recent_id in everything) == (True, True)
    windowed = await read_ledger(kafka_bootstrap, ledger_topic, StagedLedger(90 * DAY_MS))
    assert (old_id in windowed, len(windowed)) == (False, 1)

    config = mesh.config(tmp_path / "staging", box.partner("acme"))
    assert config.settings.ledger_retention_days == 90  # the default window
    async with running(config) as service:
        await wait_for(lambda: box.inbound() == [], "both files disposed")
        status = service.status["acme"]

    assert (status.published, status.duplicates) == (1, 1)
    assert [e["file_id"] for e in await mesh.events()] == [old_id]
    entries = await read_all(kafka_bootstrap, ledger_topic, topics.staged_ledger.partitions)
    stamped = sorted((r.key.decode(), r.timestamp == old_ms) for r in entries)
    # The old entry is still there beside the new one: the reader's window skipped it.
    assert stamped == sorted([(old_id, True), (old_id, False), (recent_id, False)])
    assert box.archived() == ["old.x12", "recent.x12"]
