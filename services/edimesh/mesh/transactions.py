"""One transactional producer per input partition: begin, send, finish; errors mapped.

The transactional id is stable per input partition (`<group>-<topic>-<partition>`): aiokafka
has no KIP-447 group-metadata fencing, so whoever starts this producer next (the partition's
next owner, or this process after a restart) fences the previous one in InitProducerId, and the
broker completes or aborts that owner's open transaction before answering.

Messages go into per-partition record batches built here (aiokafka's create_batch/send_batch)
rather than one `send()` each: at one message per transaction set, the per-message path of
`send()` (metadata wait, size estimate, partitioner, accumulator) was the largest remaining cost.
Keys are partitioned exactly as Kafka's default partitioner does (`partitioner.py`).

A failed transaction has an unknown outcome (the EndTxn may have reached the broker). Nobody
guesses: the producer is closed, the caller restarts it (which settles that transaction) and
re-reads progress from Kafka.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError, ProducerFenced

from edimesh.errors import EdiMeshError, Route, TransientError
from edimesh.mesh.kafka_security import client_options
from edimesh.mesh.partitioner import partition_for
from edimesh.mesh.topics import MAX_MESSAGE_BYTES

_log = logging.getLogger(__name__)
Headers = list[tuple[str, bytes]]
# A record batch is handed over when it reaches this size, or at once when the partition has
# nothing in flight: one batch in flight and one filling per partition, like the producer's own
# accumulator, so the bytes flow while the file is scanned. Bigger records get their own batch.
PRODUCE_BATCH_BYTES = 512 * 1024
LINGER_MS = 5


class Pending(NamedTuple):
    """An encoded message waiting for its transaction."""

    topic: str
    key: bytes | None
    value: bytes
    headers: Headers
    partition: int | None = None


class PartitionLostError(EdiMeshError):
    """Another producer with this transactional id took over: this one must stop writing."""

    route = Route.RETRY


class CommitFailedError(TransientError):
    """A transaction failed with an unknown outcome: restart the producer and re-read progress."""


class SpanEnder(Protocol):
    """A message's send spans (mesh.batch_trace.BatchTrace), ended once its transaction is."""

    def end(self, failure: BaseException | None) -> None: ...


class ProducerSettings(Protocol):
    """What a partition producer needs of a service's settings."""

    @property
    def bootstrap_servers(self) -> str: ...
    @property
    def transaction_timeout_ms(self) -> int: ...
    def transactional_id(self, topic: str, partition: int) -> str: ...


class TransactionalProducer(Protocol):
    """What a file run needs of its partition's producer (tests pass a fake)."""

    async def begin(self) -> None: ...
    async def send(
        self, message: Pending, headers: Headers | None = None
    ) -> asyncio.Future[Any] | None: ...
    async def finish(
        self,
        futures: Sequence[asyncio.Future[Any]],
        offsets: Mapping[TopicPartition, int] | None,
        group_id: str,
    ) -> None: ...
    async def stop(self) -> None: ...


class PartitionProducer:
    """The transactional producer of one input partition."""

    def __init__(
        self, settings: ProducerSettings, source: TopicPartition, *, service: str
    ) -> None:
        self._settings = settings
        self._service = service
        self.transactional_id = settings.transactional_id(source.topic, source.partition)
        self._producer: Any = None
        self._builders: dict[tuple[str, int], Any] = {}  # open record batches, by partition
        self._delivering: dict[tuple[str, int], asyncio.Future[Any]] = {}  # last handed over
        self._partitions: dict[str, int] = {}  # partition count per topic

    async def start(self) -> None:
        """Create and initialise the producer; this fences every older one with the same id."""
        await self.stop()
        producer = AIOKafkaProducer(
            bootstrap_servers=self._settings.bootstrap_servers,
            client_id=f"edimesh-{self._service}-{self.transactional_id}",
            transactional_id=self.transactional_id,
            enable_idempotence=True,
            acks="all",
            compression_type="zstd",
            max_request_size=MAX_MESSAGE_BYTES,
            max_batch_size=PRODUCE_BATCH_BYTES,
            linger_ms=LINGER_MS,
            transaction_timeout_ms=self._settings.transaction_timeout_ms,
            **client_options(),
        )
        try:
            await producer.start()
        except KafkaError as exc:
            await producer.stop()
            raise CommitFailedError(f"producer start failed: {type(exc).__name__}") from exc
        except BaseException:
            await producer.stop()
            raise
        self._producer = producer

    async def _failed(self, exc: BaseException) -> BaseException:
        """Close the producer after `exc` and say what the caller must raise instead."""
        await self.stop()  # a cancelled or failed transaction: the next start settles it
        if isinstance(exc, ProducerFenced):
            return PartitionLostError("fenced: another owner of this partition took over")
        if isinstance(exc, KafkaError | AssertionError):
            # AssertionError: aiokafka's state machine after a broker error left it unusable.
            return CommitFailedError(f"transaction failed: {type(exc).__name__}")
        return exc

    def _live(self) -> Any:
        if self._producer is None:
            raise CommitFailedError("the producer is not started")
        return self._producer

    async def begin(self) -> None:
        try:
            await self._live().begin_transaction()
        except BaseException as exc:
            mapped = await self._failed(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    async def send(
        self, message: Pending, headers: Headers | None = None
    ) -> asyncio.Future[Any] | None:
        """Add one message (with `headers` instead of its own, when given) to the open
        transaction's record batch for its partition.

        Returns the delivery future of a batch handed to the producer because it was full
        (None otherwise); `finish` hands over the rest.
        """
        try:
            producer = self._live()
            partition = message.partition
            if partition is None:
                count = self._partitions.get(message.topic)
                if count is None:
                    count = self._partitions[message.topic] = len(
                        await producer.partitions_for(message.topic)
                    )
                assert message.key is not None, "every partitioned output has a key"
                partition = partition_for(message.key, count)
            where = (message.topic, partition)
            if headers is None:
                headers = message.headers
            builder = self._builders.get(where)
            if builder is None:
                builder = self._builders[where] = producer.create_batch()
            if builder.append(timestamp=None, key=message.key, value=message.value,
                              headers=headers) is not None:  # fmt: skip
                last = self._delivering.get(where)
                if last is not None and not last.done():
                    return None  # keep filling while the previous batch travels
                del self._builders[where]
                return await self._hand_over(where, builder)
            future = await self._hand_over(where, builder)  # full: send it, start another
            builder = self._builders[where] = producer.create_batch()
            builder.append(timestamp=None, key=message.key, value=message.value,
                           headers=headers)  # a fresh batch takes any first record
        except BaseException as exc:
            mapped = await self._failed(exc)
            if mapped is exc:
                raise
            raise mapped from exc
        return future

    async def _hand_over(self, where: tuple[str, int], builder: Any) -> asyncio.Future[Any]:
        builder.close()  # nothing else may be appended once it is queued
        future: asyncio.Future[Any] = await self._live().send_batch(
            builder, where[0], partition=where[1]
        )
        future.add_done_callback(_retrieved)  # a failed transaction may never await it
        self._delivering[where] = future
        return future

    async def finish(
        self,
        futures: Sequence[asyncio.Future[Any]],
        offsets: Mapping[TopicPartition, int] | None,
        group_id: str,
    ) -> None:
        """Wait for every delivery, add the consumer offsets, commit."""
        try:
            producer = self._live()
            pending = [*futures]
            for where, builder in self._builders.items():
                pending.append(await self._hand_over(where, builder))
            self._builders.clear()
            self._delivering.clear()
            if offsets:
                await producer.send_offsets_to_transaction(dict(offsets), group_id)
            await _delivered(pending)
            await producer.commit_transaction()
        except BaseException as exc:
            mapped = await self._failed(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    async def commit(
        self,
        messages: Sequence[Pending],
        offsets: Mapping[TopicPartition, int] | None,
        group_id: str,
    ) -> None:
        """A whole transaction at once: the messages and the input offsets."""
        await self.begin()
        futures = [f for m in messages if (f := await self.send(m)) is not None]
        await self.finish(futures, offsets, group_id)

    async def commit_traced(
        self,
        traced: Sequence[tuple[Pending, SpanEnder]],
        offsets: Mapping[TopicPartition, int] | None,
        group_id: str,
        untraced: Sequence[Pending] = (),
    ) -> None:
        """`commit`, then end each message's send spans with the transaction's outcome."""
        try:
            await self.commit([p for p, _ in traced] + list(untraced), offsets, group_id)
        except BaseException as exc:
            for _, spans in traced:
                spans.end(exc)
            raise
        for _, spans in traced:
            spans.end(None)

    async def stop(self) -> None:
        """Close the producer. Idempotent; an open transaction is left for the next owner."""
        producer, self._producer = self._producer, None
        self._builders.clear()
        self._delivering.clear()
        self._partitions.clear()
        if producer is not None:
            with contextlib.suppress(KafkaError, OSError):
                await producer.stop()


async def _delivered(futures: Sequence[asyncio.Future[Any]]) -> None:
    """Wait for every delivery; raise the first failure once all are retrieved."""
    for outcome in await asyncio.gather(*futures, return_exceptions=True):
        if isinstance(outcome, BaseException):
            raise outcome


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Mark a delivery's failure as seen; whoever awaits the future still gets it."""
    if not future.cancelled():
        future.exception()


def quiet_fenced_futures(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """When a producer is fenced, aiokafka fails its queued batches' internal drain waiters,
    which nobody awaits; asyncio would log each as an unretrieved error. The fencing itself is
    handled (and logged once) by the partition worker.

    Install with `loop.set_exception_handler(quiet_fenced_futures)`."""
    exc = context.get("exception")
    if isinstance(exc, KafkaError) and "never retrieved" in str(context.get("message", "")):
        _log.debug("unretrieved Kafka future after fencing", extra={"error": type(exc).__name__})
        return
    loop.default_exception_handler(context)
