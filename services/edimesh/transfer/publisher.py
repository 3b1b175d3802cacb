"""Publish FileStaged: the event and its ledger entry in one Kafka transaction.

The producer is idempotent (acks=all) and transactional, so the event on edi.files.staged and
the entry in the compacted ledger topic commit together or not at all: a crash at any moment
leaves either both (the restarted service sees the ledger and does not publish again) or neither
(it publishes). Starting the producer fences any previous instance with the same transactional
id and aborts its open transaction, so the ledger can be read right after.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any, Self

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, ProducerFenced

from edimesh.errors import FatalError, TransientError
from edimesh.mesh.codec import Encoded
from edimesh.mesh.kafka_security import client_options
from edimesh.mesh.topics import MAX_MESSAGE_BYTES
from edimesh.telemetry import KafkaSpans, MaskLabel


class StagedPublisher:
    def __init__(
        self,
        bootstrap: str,
        *,
        events_topic: str,
        ledger_topic: str,
        transactional_id: str,
        spans: KafkaSpans,
    ):
        self.events_topic = events_topic
        self._spans = spans
        self.ledger_topic = ledger_topic
        self._producer: Any = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            client_id="edimesh-transfer",
            transactional_id=transactional_id,
            enable_idempotence=True,
            acks="all",
            max_request_size=MAX_MESSAGE_BYTES,
            **client_options(),
        )
        self._lock = asyncio.Lock()  # one transaction at a time on this producer
        self._started = False

    async def start(self) -> None:
        try:
            await self._producer.start()
        except KafkaError as exc:
            await self._producer.stop()
            raise TransientError(f"Kafka producer did not start ({type(exc).__name__})") from exc
        self._started = True

    async def stop(self) -> None:
        """Flush and close; idempotent."""
        if self._started:
            self._started = False
            await self._producer.stop()

    async def publish(self, file_id: str, message: Encoded) -> None:
        """Commit the event and the ledger entry, keyed by `file_id`, or raise."""
        key = file_id.encode("ascii")
        async with self._lock:
            try:
                with self._spans.send(
                    self.events_topic,
                    key=key,
                    headers=message.headers,
                    key_label=MaskLabel.FILE_SHA256,
                ) as send:
                    async with self._producer.transaction():
                        delivered = await self._producer.send(
                            self.events_topic, message.value, key=key, headers=send.headers
                        )
                        await self._producer.send(
                            self.ledger_topic, message.value, key=key, headers=send.headers
                        )
                    meta = await delivered  # resolved by the commit
                    send.set_delivery(meta.partition, meta.offset)
            except ProducerFenced as exc:
                raise FatalError(
                    "another transfer instance with the same transactional id took over"
                ) from exc
            except KafkaError as exc:
                reason = type(exc).__name__
                raise TransientError(f"publishing FileStaged failed ({reason})") from exc

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
