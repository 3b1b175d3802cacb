"""The owner of one partition number p while it is assigned: partition p of the manifests and
of the results (co-partitioned), and partition p of the changelog.

Lifecycle: start p's transactional producer (fencing any previous owner and settling its open
transaction), read the group's committed offsets of both inputs, rebuild p's state from the
changelog. Then, batch by batch, join the queued records into the state and commit, in ONE
transaction: the 999s of the groups that completed, the changelog records of every state
change, the dead letters, and both input offsets. A group that stays incomplete past
`ack_timeout_s` (from its first record) is answered by a timed-out 999 in the same way.
Each sweep also forgets done groups older than `done_retention_days` and, once a day,
rewrites the sequence so the changelog's retention never deletes it.

A record that cannot be decoded goes to the DLQ (its partition goes on). Failures of Kafka
itself leave the outcome unknown: the worker drops its state, restarts the producer and
rebuilds from the changelog and the committed offsets, as the validator does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from aiokafka import TopicPartition

from edimesh.acknowledger.answer import answer, is_acknowledgment_group
from edimesh.acknowledger.changelog import Changes
from edimesh.acknowledger.observe import AcknowledgerTelemetry
from edimesh.acknowledger.rebuild import rebuild
from edimesh.acknowledger.settings import AcknowledgerSettings
from edimesh.acknowledger.state import Done, PartitionState
from edimesh.errors import FatalError
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

_log = logging.getLogger(__name__)
SERVICE = "acknowledger"
UNANSWERED = ""  # the control number of a group whose 999 could not be built (a bug)
NOT_ANSWERED = "-"  # ... of an acknowledgment group (GS01 FA): done, with no 999 by design
SEQUENCE_REFRESH_MS = 24 * 3600 * 1000  # far inside the changelog's retention (>= 15 days)


@dataclass(frozen=True, slots=True)
class WorkerEnv:
    settings: AcknowledgerSettings
    topics: MeshTopics
    producer: PartitionProducer
    telemetry: AcknowledgerTelemetry
    partition: int
    partitions: int
    committed: Callable[[TopicPartition], Awaitable[int | None]]
    on_room: Callable[[TopicPartition], None]
    caught_up: Callable[[TopicPartition], Awaitable[bool]]
    clock: Callable[[], float] = time.time


@dataclass(slots=True)
class _Batch:
    """What one transaction carries besides the changelog records."""

    outputs: list[tuple[Pending, BatchTrace]]
    changes: Changes


class PartitionWorker(WorkerLoop):
    """Joins and answers the groups of one partition number, exactly once."""

    failure_message = "partition worker failed; rebuilding the partition's state"

    def __init__(self, env: WorkerEnv) -> None:
        super().__init__(f"{SERVICE}-{env.partition}", env.producer, env.settings, env.partition,
                         _log)  # fmt: skip
        self._env = env
        topics = env.topics
        self.manifests = TopicPartition(topics.group_manifests.name, env.partition)
        self.results = TopicPartition(topics.set_results.name, env.partition)
        self.changelog = TopicPartition(topics.acknowledger_state.name, env.partition)
        self._queues: dict[TopicPartition, deque[Any]] = {
            self.manifests: deque(), self.results: deque()}  # fmt: skip
        self._floors = {self.manifests: 0, self.results: 0}
        self._state: PartitionState | None = None  # None until prepared
        self._last_sweep = 0.0
        self._input_ms = 0  # newest record timestamp joined: the clock while catching up

    @property
    def inputs(self) -> tuple[TopicPartition, TopicPartition]:
        return (self.manifests, self.results)

    @property
    def state(self) -> PartitionState | None:
        return self._state

    def backlog(self, tp: TopicPartition) -> int:
        return len(self._queues[tp])

    def submit(self, tp: TopicPartition, records: list[Any]) -> None:
        self._queues[tp].extend(records)
        self._wakeup.set()

    # ------------------------------------------------------------------ loop steps

    def _backoff_s(self, failures: int) -> float:
        settings = self._env.settings
        return jittered_backoff_s(settings.retry_backoff_s, settings.max_backoff_s,
                                  min(failures, MAX_FAILURE_STREAK))  # fmt: skip

    def _forget(self) -> None:
        self._state = None  # its changes may not have committed: read them back

    async def _prepare(self) -> None:
        env = self._env
        await env.producer.start()  # fences the previous owner, settles its transaction
        try:
            for tp in self.inputs:
                committed = await env.committed(tp)
                self._floors[tp] = max(self._floors[tp], committed or 0)
        except Exception as exc:
            raise CommitFailedError("reading the committed offsets failed") from exc
        self._state = await rebuild(
            env.settings.bootstrap_servers, self.changelog, env.partitions,
            timeout_s=env.settings.rebuild_timeout_s,
            done_retention_ms=env.settings.done_retention_ms, clock=env.clock,
        )  # fmt: skip

    async def _drain(self) -> None:
        env = self._env
        settings = env.settings
        while not self.stopping:
            state = self._state
            assert state is not None, "prepared"
            for tp, queue in self._queues.items():
                while queue and queue[0].offset < self._floors[tp]:
                    queue.popleft()
            taken = {tp: list(islice(q, settings.batch_max_records))
                     for tp, q in self._queues.items() if q}  # fmt: skip
            now = env.clock()
            due: list[str] = []
            refresh = False
            if now - self._last_sweep >= settings.sweep_interval_s:
                self._last_sweep = now
                clock_ms = await self._timeout_clock_ms(busy=bool(taken), now=now)
                due = state.expired(clock_ms, int(settings.ack_timeout_s * 1000))
                state.expire_done(int(now * 1000))  # retention is wall-clock, like Kafka's
                refresh = state.sequence_stale(int(now * 1000), SEQUENCE_REFRESH_MS)
            if not taken and not due and not refresh:
                for tp in self.inputs:
                    env.on_room(tp)
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self._idle_s(now))
                continue
            await self._commit(state, taken, due, refresh_sequence=refresh)
            for tp, records in taken.items():
                self._floors[tp] = records[-1].offset + 1
                for _ in records:
                    self._queues[tp].popleft()
                if len(self._queues[tp]) < settings.batch_max_records:
                    env.on_room(tp)

    async def _timeout_clock_ms(self, *, busy: bool, now: float) -> int:
        """The time timeouts are measured against: the wall clock once this partition is
        caught up with both inputs, else the newest record timestamp joined so far. So a
        backlog (a restart after an outage, a slow catch-up) never times out a group whose
        remaining sets wait in that backlog."""
        if not busy:
            caught_up = [await self._env.caught_up(tp) for tp in self.inputs]
            if all(caught_up):
                return max(int(now * 1000), self._input_ms)
        return self._input_ms

    def _idle_s(self, now: float) -> float:
        """How long to wait for input before the next look for timed-out groups."""
        return max(self._last_sweep + self._env.settings.sweep_interval_s - now, 0.001)

    async def _commit(
        self, state: PartitionState, taken: dict[TopicPartition, list[Any]], due: list[str],
        *, refresh_sequence: bool = False,
    ) -> None:  # fmt: skip
        env = self._env
        batch = _Batch([], Changes(self.changelog.topic, self.changelog.partition))
        start_sequence = state.sequence
        for records in taken.values():
            for record in records:
                self._join(state, record, batch)
        now = datetime.now(UTC)
        for group_key in due:
            if group_key in state.pending:
                self._answer(state, group_key, batch, now, timed_out=True)
        write_sequence = refresh_sequence or state.sequence != start_sequence
        if write_sequence:
            batch.changes.put_sequence(state.sequence)
        offsets = {tp: records[-1].offset + 1 for tp, records in taken.items()}
        await env.producer.commit_traced(batch.outputs, offsets, env.settings.group_id,
                                         batch.changes.pending())  # fmt: skip
        if write_sequence:
            state.sequence_ms = int(env.clock() * 1000)

    # ------------------------------------------------------------------ one record

    def _join(self, state: PartitionState, record: Any, batch: _Batch) -> None:
        env = self._env
        # The group's clock starts at its first record's timestamp (the validator's or the
        # splitter's send time), so a restart or a backlog does not move it.
        now_ms = record.timestamp if record.timestamp and record.timestamp > 0 else int(
            env.clock() * 1000)  # fmt: skip
        self._input_ms = max(self._input_ms, now_ms)
        with env.telemetry.process(record):
            if record.value is None:
                return  # a tombstone on the compacted manifests topic: nothing to join
            try:
                if record.topic == self.manifests.topic:
                    manifest: messages.GroupManifest = decode(  # type: ignore[assignment]
                        record.value, record.headers, expected=MessageType.GROUP_MANIFEST
                    )
                    group_key = manifest["group_key"]
                    group = state.add_manifest(group_key, manifest, now_ms)
                    if group is not None:
                        batch.changes.put_manifest(group_key, manifest, group.first_seen_ms)
                else:
                    result: messages.SetResult = decode(  # type: ignore[assignment]
                        record.value, record.headers, expected=MessageType.SET_RESULT
                    )
                    group_key = result["group_key"]
                    group = state.add_result(group_key, result, now_ms)
                    if group is not None:
                        batch.changes.put_result(group_key, result, group.first_seen_ms)
            except Exception as exc:  # noqa: BLE001 - poison input is routed, never raised
                self._dead_letter(record, exc, batch)
                return
            if group is None:
                _log.debug("input for an answered group ignored", extra={
                    "partition": record.partition, "kafka_offset": record.offset,
                    "group": env.telemetry.token(group_key)})  # fmt: skip
            elif group.complete and not self._answer(
                state, group_key, batch, datetime.now(UTC), timed_out=False
            ):
                self._dead_letter(record, UnanswerableGroupError("999 not built"), batch)

    def _answer(
        self, state: PartitionState, group_key: str, batch: _Batch, now: datetime, *,
        timed_out: bool,
    ) -> bool:  # fmt: skip
        """Publish the group's 999 and mark it done; False when it could not be built."""
        env = self._env
        group = state.pending[group_key]
        if is_acknowledgment_group(group):
            done = Done(NOT_ANSWERED, timed_out)
            state.finish(group_key, done, int(env.clock() * 1000))
            batch.changes.put_done(group_key, done, list(group.results),
                                   group.manifest is not None)  # fmt: skip
            return True
        try:
            with env.telemetry.work("build 999", {
                    semconv.EDIMESH_SETS: len(group.results),
                    semconv.EDIMESH_TIMED_OUT: timed_out}) as span:  # fmt: skip
                control_number = state.allocate_control_number()
                record, done = answer(group_key, group, control_number=control_number,
                                      timed_out=timed_out, now=now)  # fmt: skip
                span.set_attribute(semconv.EDIMESH_ACK_STATUS, record["status"])
        except Exception as exc:  # noqa: BLE001 - a bug: remember the group, keep flowing
            _log.error("999 could not be built", extra={
                "partition": env.partition, "group": env.telemetry.token(group_key),
                "error": error_class(exc)})  # fmt: skip
            state.finish(group_key, Done(UNANSWERED, timed_out), int(env.clock() * 1000))
            batch.changes.put_done(group_key, Done(UNANSWERED, timed_out),
                                   list(group.results), group.manifest is not None)  # fmt: skip
            return False
        state.finish(group_key, done, int(env.clock() * 1000))
        batch.changes.put_done(group_key, done, list(group.results), group.manifest is not None)
        value, headers = encode(MessageType.ACKNOWLEDGMENT, record)
        spans, headers = env.telemetry.send(env.topics.acks.name, headers)
        batch.outputs.append((Pending(env.topics.acks.name, group_key.encode(), value, headers),
                              spans))  # fmt: skip
        if timed_out:
            _log.warning("group timed out; answered with a timed-out 999", extra={
                "partition": env.partition, "group": env.telemetry.token(group_key),
                "results": len(group.results), "manifest": group.manifest is not None})  # fmt: skip
        return True

    def _dead_letter(self, record: Any, exc: BaseException, batch: _Batch) -> None:
        env = self._env
        pending = dead_letter_message(env.topics.dlq.name, record, exc, 1, datetime.now(UTC),
                                      service=SERVICE)  # fmt: skip
        _log.warning("input dead-lettered", extra={
            "topic": record.topic, "partition": record.partition, "kafka_offset": record.offset,
            "error": error_class(exc)})  # fmt: skip
        spans, headers = env.telemetry.send(pending.topic, pending.headers)
        batch.outputs.append((pending._replace(headers=headers), spans))


class UnanswerableGroupError(FatalError):
    """The group this record completed could not be answered (a bug; see the service's log)."""
