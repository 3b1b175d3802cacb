"""Reading the splitter's compacted state topics back from Kafka (read_committed).

Two kinds of end:
- `read_progress` reads a progress partition up to its high watermark taken *after* this
  partition's producer was initialised. InitProducerId returns only once the last owner's
  transactions are complete (committed or aborted, markers written), so every progress record
  that owner committed lies below that watermark and becomes visible to read_committed.
  Reading only to the last stable offset could stop short of it while another producer's
  transaction is open on the same partition.
- `LedgerTail.catch_up` reads the ledger up to what is stable now, without waiting: the
  duplicate check is as fresh as the ledger's committed content at the start of each file.

Both readers keep memory bounded: ledger keys older than the ledger's window and progress of
files finished longer ago than the progress window are skipped while loading (the topics'
`compact,delete` retention removes them from Kafka after the same time).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from edimesh.errors import ConfigError, EdiMeshError, TransientError
from edimesh.mesh import messages
from edimesh.mesh.admin import admin_client
from edimesh.mesh.codec import decode
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topic_reader import (
    read_from_start,
    read_to_end,
    state_consumer,
    state_consumer_options,
)
from edimesh.splitter.ledger import InterchangeLedger, LedgerEntry
from edimesh.splitter.progress import FileProgress, drop_finished

_log = logging.getLogger(__name__)


async def read_progress(
    bootstrap: str,
    tp: TopicPartition,
    *,
    source_topic: str,
    source_partition: int,
    timeout_s: float,
    done_retention_ms: int | None = None,
    clock: Callable[[], float] = time.time,
) -> dict[str, FileProgress]:
    """The latest progress of every file of `source_topic`/`source_partition` kept in `tp`,
    leaving out files finished more than `done_retention_ms` ago (see `drop_finished`)."""
    found: dict[str, FileProgress] = {}
    try:
        async with asyncio.timeout(timeout_s):
            async with state_consumer(bootstrap, isolation_level="read_uncommitted") as probe:
                ends = dict(await probe.end_offsets([tp]))  # high watermark
            async with state_consumer(bootstrap) as consumer:
                async for record in read_from_start(consumer, [tp], ends):
                    progress = _progress(record)
                    if (
                        progress is not None
                        and progress.source_topic == source_topic
                        and progress.source_partition == source_partition
                    ):
                        found[progress.file_id] = progress
    except TimeoutError:
        raise TransientError(f"progress partition {tp.partition} not read within {timeout_s}s") \
            from None  # fmt: skip
    except KafkaError as exc:
        raise TransientError(f"reading progress failed: {type(exc).__name__}") from exc
    if done_retention_ms is not None:
        drop_finished(found, int(clock() * 1000), done_retention_ms)
    return found


def _progress(record: Any) -> FileProgress | None:
    if record.value is None:  # a tombstone: the file's progress was dropped on purpose
        return None
    try:
        data: messages.SplitterProgress = decode(  # type: ignore[assignment]
            record.value, record.headers, expected=MessageType.SPLITTER_PROGRESS
        )
    except EdiMeshError as exc:
        _log.warning("skipping an unreadable progress record", extra={"error": str(exc),
                     "offset": record.offset})  # fmt: skip
        return None
    return FileProgress.from_record(data)


async def partition_counts(bootstrap: str, topics: list[str]) -> dict[str, int]:
    """Partition count of each topic; ConfigError names a topic that does not exist."""
    async with admin_client(bootstrap) as client:
        described = {t["topic"]: t for t in await client.describe_topics(topics)}
    counts = {}
    for topic in topics:
        partitions = described.get(topic, {}).get("partitions") or []
        if not partitions:
            raise ConfigError(f"topic {topic} does not exist: create the mesh topics first")
        counts[topic] = len(partitions)
    return counts


class LedgerTail:
    """Keeps an `InterchangeLedger` up to date with the ledger topic."""

    def __init__(
        self, bootstrap: str, topic: str, partitions: int, ledger: InterchangeLedger
    ) -> None:
        self._bootstrap = bootstrap
        self._topic = topic
        self._partitions = partitions
        self.ledger = ledger
        self._consumer: Any = None
        self._tps: list[TopicPartition] = []
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap, **state_consumer_options()
        )
        await self._consumer.start()
        self._tps = [TopicPartition(self._topic, p) for p in range(self._partitions)]
        self._consumer.assign(self._tps)
        await self._consumer.seek_to_beginning(*self._tps)
        await self.catch_up()
        self.ledger.sort()  # partitions were read interleaved; expire wants acceptance order
        _log.info("interchange ledger loaded", extra={"entries": len(self.ledger)})

    async def catch_up(self) -> None:
        """Read what is committed and stable now (never waits for open transactions)."""
        async with self._lock:
            ends = dict(await self._consumer.end_offsets(self._tps))  # last stable offsets
            async for record in read_to_end(self._consumer, ends):
                self._apply(record)
            self.ledger.expire()  # cheap: stops at the first key inside the window

    def _apply(self, record: Any) -> None:
        if record.value is None:
            return
        if record.timestamp and self.ledger.outside_window(record.timestamp):
            return  # not even decoded: on a long ledger, most records are this
        try:
            entry: messages.InterchangeLedgerEntry = decode(  # type: ignore[assignment]
                record.value, record.headers, expected=MessageType.INTERCHANGE_LEDGER_ENTRY
            )
        except EdiMeshError as exc:
            _log.warning("skipping an unreadable ledger record", extra={"error": str(exc)})
            return
        # The record's timestamp is what the topic's retention goes by.
        self.ledger.record(
            entry["interchange_key"],
            LedgerEntry(entry["file_id"], entry["interchange_index"]),
            record.timestamp
            if record.timestamp and record.timestamp > 0
            else int(entry["accepted_at"].timestamp() * 1000),
        )

    async def stop(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await consumer.stop()
