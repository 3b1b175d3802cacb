"""The owner of one input partition while it is assigned: producer, queue, batches.

Lifecycle: start the partition's transactional producer (fencing any previous owner and
settling its open transaction), then read the group's committed offset for the partition:
records below it were already committed by someone and are dropped. Then, batch by batch (at
most `batch_max_records` sets), validate the queued sets and commit their outputs together with
the input offset in one transaction.

Every routed set (validated or quarantined) also yields its SetResult on
`edi.acknowledger.set-results`, keyed by the group key, in the same transaction as the routed
output. A dead-lettered set whose TransactionSet decoded gets one too (route DEAD_LETTERED,
IK501 R), so its group's 999 does not wait for the acknowledger's timeout; an undecodable
record has no group key and yields none.

Per set, every failure is routed, never raised: undecodable input, unfetchable bodies and bugs
are dead-lettered at once; transient failures are retried with exponential backoff and jitter
until `max_attempts`, then dead-lettered. So a poison message costs one DLQ record and its
partition goes on.

Failures of Kafka itself are not the set's fault: the commit's outcome is unknown, so the worker
restarts the producer, re-reads the committed offset and retries the batch, with backoff and no
attempt limit. Fenced by another producer, it stops writing and waits to be revoked.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from aiokafka import TopicPartition

from edimesh.acknowledger.results import set_result_of
from edimesh.errors import Route, route_for
from edimesh.mesh import messages
from edimesh.mesh.backoff import jittered_backoff_s
from edimesh.mesh.batch_trace import BatchTrace
from edimesh.mesh.codec import decode, encode
from edimesh.mesh.dead_letter import dead_letter_message, error_class
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import MeshTopics
from edimesh.mesh.transactions import CommitFailedError, PartitionProducer, Pending
from edimesh.mesh.worker_loop import MAX_FAILURE_STREAK, WorkerLoop
from edimesh.telemetry import semconv
from edimesh.validator.bodies import fetch_body
from edimesh.validator.handler import (
    Destination,
    Output,
    SetJob,
    Verdict,
    route_envelope,
    route_set,
)
from edimesh.validator.observe import ValidatorTelemetry
from edimesh.validator.pool import ValidationPool
from edimesh.validator.settings import ValidatorSettings

_log = logging.getLogger(__name__)
SERVICE = "validator"
# Encoded outputs per input byte, assumed for a set not yet routed (measured ~5 for valid 837P:
# the validated JSON is bigger than its X12); the budget counts them before they exist.
OUTPUT_EXPANSION = 5


@dataclass(frozen=True, slots=True)
class WorkerEnv:
    settings: ValidatorSettings
    topics: MeshTopics
    producer: PartitionProducer
    pool: ValidationPool
    telemetry: ValidatorTelemetry
    source: TopicPartition
    committed: Callable[[TopicPartition], Awaitable[int | None]]
    on_room: Callable[[TopicPartition], None]


def backoff_s(settings: ValidatorSettings, attempt: int) -> float:
    """Exponential backoff with jitter before retry number `attempt` (1-based)."""
    return jittered_backoff_s(settings.retry_backoff_s, settings.max_backoff_s, attempt)


class PartitionWorker(WorkerLoop):
    """Validates the TransactionSets of one partition, in order, exactly once."""

    def __init__(self, env: WorkerEnv) -> None:
        source = env.source
        super().__init__(f"{SERVICE}-{source.topic}-{source.partition}", env.producer,
                         env.settings, source.partition, _log)  # fmt: skip
        self._env = env
        self._queue: deque[Any] = deque()
        self._queued_bytes = 0  # of the queued records' values: the service's memory budget
        self._routed_in = 0  # input bytes of the current batch's routed sets
        self._routed_out = 0  # their encoded outputs, held until the commit
        self._floor = 0  # records below this offset are committed already

    @property
    def source(self) -> TopicPartition:
        return self._env.source

    @property
    def backlog(self) -> int:
        return len(self._queue)

    @property
    def backlog_bytes(self) -> int:
        """Memory the queued sets hold until committed: their input, the outputs of those
        routed in the current batch, and OUTPUT_EXPANSION x the input of the others."""
        unrouted = self._queued_bytes - self._routed_in
        return self._queued_bytes + self._routed_out + OUTPUT_EXPANSION * unrouted

    def submit(self, records: list[Any]) -> None:
        self._queue.extend(records)
        self._queued_bytes += sum(_size(r) for r in records)
        self._wakeup.set()

    # ------------------------------------------------------------------ loop steps

    def _backoff_s(self, failures: int) -> float:
        return backoff_s(self._env.settings, min(failures, MAX_FAILURE_STREAK))

    async def _prepare(self) -> None:
        env = self._env
        await env.producer.start()  # fences the previous owner, settles its transaction
        try:
            committed = await env.committed(self.source)
        except Exception as exc:
            raise CommitFailedError("reading the committed offset failed") from exc
        self._floor = max(self._floor, committed or 0)

    async def _drain(self) -> None:
        env = self._env
        while not self.stopping:
            while self._queue and self._queue[0].offset < self._floor:
                self._dequeue()
            if not self._queue:
                env.on_room(self.source)
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            await self._batch(list(islice(self._queue, env.settings.batch_max_records)))
            env.on_room(self.source)  # the commit freed budget, whatever the queue length

    async def _batch(self, batch: list[Any]) -> None:
        """Route and commit one batch. Its own frame: locals of `_drain` would keep the last
        batch's outputs (~5 x its input) alive until the next one is routed, or while idle."""
        routed = await asyncio.gather(*(self._process(r) for r in batch))
        next_offset = batch[-1].offset + 1
        await self._commit(routed, next_offset)
        self._floor = next_offset
        for _ in batch:
            self._dequeue()
        self._routed_in = self._routed_out = 0

    def _forget(self) -> None:
        self._routed_in = self._routed_out = 0  # the failed batch is routed again

    def _dequeue(self) -> None:
        self._queued_bytes -= _size(self._queue.popleft())

    async def _commit(
        self, per_set: list[list[tuple[Pending, BatchTrace]]], next_offset: int
    ) -> None:
        env = self._env
        routed = [pair for pairs in per_set for pair in pairs]
        await env.producer.commit_traced(routed, {self.source: next_offset}, env.settings.group_id)

    # ------------------------------------------------------------------ one set

    async def _process(self, record: Any) -> list[tuple[Pending, BatchTrace]]:
        settings = self._env.settings
        attempts = 0
        data: messages.TransactionSet | None = None
        with self._env.telemetry.process(record):
            while True:
                attempts += 1
                try:
                    if data is None:
                        data = decode(  # type: ignore[assignment]
                            record.value, record.headers, expected=MessageType.TRANSACTION_SET
                        )
                    assert data is not None, "decoded"
                    outputs = await self._route(data)
                except Exception as exc:  # noqa: BLE001 - every failure of a set is routed
                    if route_for(exc) is Route.RETRY and attempts < settings.max_attempts:
                        _log.warning("set failed; retrying", extra={
                            "partition": record.partition, "kafka_offset": record.offset,
                            "attempt": attempts, "error": error_class(exc)})  # fmt: skip
                        await asyncio.sleep(backoff_s(settings, attempts))
                        continue
                    outputs = [self._dead_letter(record, exc, attempts)]
                    if data is not None:  # its group's 999 must not wait for it: IK501 R
                        outputs += self._dead_lettered_result(data)
                self._routed_in += _size(record)
                self._routed_out += sum(len(p.value) for p in outputs)
                sent = []
                for pending in outputs:
                    spans, headers = self._env.telemetry.send(pending.topic, pending.headers)
                    sent.append((pending._replace(headers=headers), spans))
                return sent

    async def _route(self, data: messages.TransactionSet) -> list[Pending]:
        """The set's routed output and its SetResult (for the acknowledger), both keyed so
        that they commit in the same transaction."""
        env = self._env
        now = datetime.now(UTC)
        output = route_envelope(data, now)
        verdict: Verdict | None = None
        raw: bytes | None = None
        if output is None:
            body = data["body"]
            raw = body if isinstance(body, bytes) else await asyncio.to_thread(
                fetch_body, body, env.settings.staging_root)  # fmt: skip
            with env.telemetry.work("validate set", {
                    semconv.EDIMESH_SET_ID: data["st01"],
                    semconv.EDIMESH_SEGMENTS: data["segment_count"]}) as span:  # fmt: skip
                verdict = await env.pool.validate(SetJob.of(data, raw))
                span.set_attributes(verdict_attributes(verdict))
            output = route_set(data, verdict, now)
        return [self._pending(output), self._set_result(set_result_of(data, verdict, raw, now))]

    def _set_result(self, result: messages.SetResult) -> Pending:
        value, headers = encode(MessageType.SET_RESULT, result)
        return Pending(self._env.topics.set_results.name, result["group_key"].encode("utf-8"),
                       value, headers)  # fmt: skip

    def _dead_lettered_result(self, data: messages.TransactionSet) -> list[Pending]:
        try:
            return [self._set_result(set_result_of(data, None, None, datetime.now(UTC)))]
        except Exception as exc:  # noqa: BLE001 - a bug here must not block the partition
            _log.error("no SetResult for a dead-lettered set", extra={
                "error": error_class(exc)})  # fmt: skip
            return []

    def _pending(self, output: Output) -> Pending:
        topics = self._env.topics
        topic = topics.validated if output.destination is Destination.VALIDATED else (
            topics.quarantine)  # fmt: skip
        value, headers = encode(output.message_type, output.record)
        return Pending(topic.name, output.key.encode("utf-8"), value, headers)

    def _dead_letter(self, record: Any, exc: BaseException, attempts: int) -> Pending:
        _log.warning("TransactionSet dead-lettered", extra={
            "partition": record.partition, "kafka_offset": record.offset,
            "error": error_class(exc), "attempt": attempts})  # fmt: skip
        return dead_letter_message(self._env.topics.dlq.name, record, exc, attempts,
                                   datetime.now(UTC), service=SERVICE)  # fmt: skip


def _size(record: Any) -> int:
    value = record.value
    return len(value) if value is not None else 0


def verdict_attributes(verdict: Verdict) -> dict[str, str | int | list[int]]:
    """A validated set's span attributes: guide, claims, route, SNIP levels (codes only)."""
    levels = sorted({e["snip_level"] for e in verdict.errors if e["snip_level"] is not None})
    return {
        semconv.EDIMESH_GUIDE: verdict.guide or "unsupported",
        semconv.EDIMESH_CLAIMS: verdict.summary["claim_count"],
        semconv.EDIMESH_ROUTE: verdict.route,
        semconv.EDIMESH_SNIP_LEVELS: levels,
    }
