"""Outputs stream into the open Kafka transaction as they are made; batches commit behind.

Each output is handed to the producer at once, so the bytes travel while the file is still
being scanned. A batch ends (by count or bytes) with the file's progress record and commits in
the background while the next outputs wait in a buffer of the same bound: one producer has one
transaction at a time. So at most two batches are held and in flight, whatever the file size.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition

from edimesh.mesh.transactions import CommitFailedError, Pending, TransactionalProducer
from edimesh.splitter.ledger import LedgerEntry
from edimesh.splitter.observe import BatchTrace, SplitterTelemetry

Accepted = tuple[str, LedgerEntry]
ABANDON_WAIT_S = 5.0


@dataclass(slots=True)
class _Batch:
    trace: BatchTrace | None = None
    futures: list[asyncio.Future[Any]] = field(default_factory=list)
    accepted: list[Accepted] = field(default_factory=list)
    count: int = 0
    size: int = 0


class TransactionStream:
    """The transactions of one file run: `add` outputs, `commit` at batch ends, `settle`."""

    def __init__(
        self,
        producer: TransactionalProducer,
        telemetry: SplitterTelemetry,
        *,
        max_outputs: int,
        max_bytes: int,
        group_id: str,
        on_accepted: Callable[[str, LedgerEntry], None],
    ) -> None:
        self._producer = producer
        self._telemetry = telemetry
        self._max_outputs = max_outputs
        self._max_bytes = max_bytes
        self._group_id = group_id
        self._on_accepted = on_accepted
        self._open: _Batch | None = None  # the transaction being filled
        self._buffer: list[tuple[Pending, Accepted | None]] = []
        self._buffer_bytes = 0
        self._committing: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        """Outputs handed over and not yet in a committing transaction."""
        return (self._open.count if self._open else 0) + len(self._buffer)

    @property
    def full(self) -> bool:
        if self._committing is not None:
            count, size = len(self._buffer), self._buffer_bytes
        else:
            count, size = (self._open.count, self._open.size) if self._open else (0, 0)
        return count >= self._max_outputs or size >= self._max_bytes

    async def add(self, item: Pending, accepted: Accepted | None = None) -> None:
        if self._committing is not None and self._committing.done():
            await self.settle()
        if self._committing is not None:
            self._buffer.append((item, accepted))
            self._buffer_bytes += len(item.value)
            return
        await self._send(item, accepted)

    async def commit(
        self,
        progress: Pending,
        offsets: Mapping[TopicPartition, int] | None,
        on_committed: Callable[[], None],
    ) -> None:
        """End the batch with `progress` (and the input `offsets`); it commits in the background."""
        await self.settle()  # one transaction at a time; moves the buffer into a new one
        await self._send(progress, None)
        batch, self._open = self._open, None
        assert batch is not None
        self._committing = asyncio.create_task(self._finish(batch, offsets, on_committed))

    async def settle(self) -> None:
        """Wait for the committing transaction (raising its failure); flush the buffer."""
        task, self._committing = self._committing, None
        if task is not None:
            await task
        buffered, self._buffer, self._buffer_bytes = self._buffer, [], 0
        for item, accepted in buffered:
            await self._send(item, accepted)

    async def abandon(self) -> None:
        """After a failure or a cancellation: stop what is in flight; the next producer start
        settles the open or committing transaction on the broker."""
        task, self._committing = self._committing, None
        if task is not None:
            if not task.done():
                task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self._producer.stop()  # fails every delivery still queued
        batch, self._open = self._open, None
        self._buffer.clear()
        if batch is not None:
            # Retrieve every outcome (awaiting, not cancelling: a cancelled shield would leave
            # its inner future's exception unretrieved, and asyncio would log it as an error).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(ABANDON_WAIT_S):
                    await asyncio.gather(*batch.futures, return_exceptions=True)
            if batch.trace is not None:  # never committed: not counted as routed
                batch.trace.end(CommitFailedError("transaction abandoned before its commit"))

    async def _send(self, item: Pending, accepted: Accepted | None) -> None:
        batch = self._open
        if batch is None:
            await self._producer.begin()
            batch = self._open = _Batch(self._telemetry.batch())
        assert batch.trace is not None
        future = await self._producer.send(item, batch.trace.headers(item.topic, item.headers))
        if future is not None:
            batch.futures.append(future)
        batch.count += 1
        batch.size += len(item.value)
        if accepted is not None:
            batch.accepted.append(accepted)

    async def _finish(
        self,
        batch: _Batch,
        offsets: Mapping[TopicPartition, int] | None,
        on_committed: Callable[[], None],
    ) -> None:
        assert batch.trace is not None
        try:
            await self._producer.finish(batch.futures, offsets, self._group_id)
        except BaseException as exc:
            batch.trace.end(exc)
            raise
        batch.trace.end(None)
        for key, entry in batch.accepted:  # visible to this process's next files at once
            self._on_accepted(key, entry)
        on_committed()
