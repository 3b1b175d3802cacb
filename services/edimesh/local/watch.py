"""Reads the mesh's topics from the beginning (read_committed, no consumer group) into a
`Tally` and an `OutputWriter`: what the user sees is what the services committed."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Self

from aiokafka import AIOKafkaConsumer, TopicPartition

from edimesh.errors import SerializationError
from edimesh.local.outputs import OutputWriter
from edimesh.local.tally import Kind, Tally
from edimesh.mesh.codec import decode
from edimesh.mesh.kafka_security import client_options
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import MAX_MESSAGE_BYTES, MeshTopics

_log = logging.getLogger(__name__)

_TYPES = {
    Kind.STAGED: MessageType.FILE_STAGED,
    Kind.TRANSACTIONS: MessageType.TRANSACTION_SET,
    Kind.PROGRESS: MessageType.SPLITTER_PROGRESS,
    Kind.MANIFESTS: MessageType.GROUP_MANIFEST,
    Kind.VALIDATED: MessageType.VALIDATED_TRANSACTION,
    Kind.QUARANTINE: MessageType.QUARANTINED,
    Kind.DLQ: MessageType.DEAD_LETTER,
    Kind.ACKS: MessageType.ACKNOWLEDGMENT,
}


def watched_topics(topics: MeshTopics) -> dict[str, Kind]:
    return {
        topics.files_staged.name: Kind.STAGED,
        topics.transactions.name: Kind.TRANSACTIONS,
        topics.splitter_progress.name: Kind.PROGRESS,
        topics.group_manifests.name: Kind.MANIFESTS,
        topics.validated.name: Kind.VALIDATED,
        topics.quarantine.name: Kind.QUARANTINE,
        topics.dlq.name: Kind.DLQ,
        topics.acks.name: Kind.ACKS,
    }


class Watcher:
    """`async with Watcher(...) as w: await w.poll()` until the tally says done."""

    def __init__(
        self, bootstrap: str, topics: MeshTopics, tally: Tally, writer: OutputWriter | None
    ) -> None:
        self._kinds = watched_topics(topics)
        self._partitions = {spec.name: spec.partitions for spec in topics.all()}
        self._tally = tally
        self._writer = writer
        self.undecodable = 0
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            client_id="edimesh-local-watch",
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
            fetch_max_bytes=4 * MAX_MESSAGE_BYTES,
            **client_options(),
        )

    async def __aenter__(self) -> Self:
        await self._consumer.start()
        try:
            partitions = [
                TopicPartition(name, p)
                for name in self._kinds
                for p in range(self._partitions[name])
            ]
            self._consumer.assign(partitions)
            await self._consumer.seek_to_beginning(*partitions)
        except BaseException:
            await self._consumer.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._consumer.stop()

    async def poll(self, timeout_ms: int = 250) -> int:
        """Take what arrived within `timeout_ms`; the number of records taken."""
        batches = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=5000)
        count = 0
        for tp, records in batches.items():
            kind = self._kinds[tp.topic]
            for message in records:
                if message.value is None:  # a compacted topic's tombstone
                    continue
                try:
                    record = decode(message.value, message.headers, expected=_TYPES[kind])
                except SerializationError:
                    self.undecodable += 1
                    continue
                self._tally.add(kind, record)
                if self._writer is not None:
                    self._writer.write(kind, record)
                count += 1
        if count and self._writer is not None:
            self._writer.flush()
        return count
