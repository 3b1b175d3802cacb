"""The owner of one input partition while it is assigned: producer, progress, queue.

Lifecycle: start the partition's transactional producer (fencing any previous owner), read the
partition's file progress back from Kafka, then split the queued FileStaged events one at a
time. A FileStaged that cannot be used (undecodable, staged file missing or outside the staging
root, a bug) is dead-lettered in a transaction with its offset; the loop goes on.

Failures of Kafka itself are not the file's fault: the commit's outcome is unknown, so the
worker restarts the producer, re-reads progress and tries again, with backoff and no attempt
limit. Fenced by another producer, it stops writing and waits to be revoked.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiokafka import TopicPartition

from edimesh.errors import Route, route_for
from edimesh.mesh.backoff import Backoff
from edimesh.mesh.codec import decode
from edimesh.mesh.dead_letter import dead_letter_message, error_class
from edimesh.mesh.messages import FileStaged
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.transactions import CommitFailedError, PartitionLostError
from edimesh.mesh.worker_loop import WorkerLoop
from edimesh.splitter.file_run import FileRun, RunEnv, SplitInterrupted
from edimesh.splitter.kafka_state import read_progress
from edimesh.splitter.progress import FileProgress, drop_finished
from edimesh.telemetry import semconv

_log = logging.getLogger(__name__)
MAX_BACKOFF_S = 10.0
PROGRESS_PRUNE_INTERVAL_S = 3600.0  # finished files leave memory within a day-scale window


def doubling_backoff_s(first_s: float, failures: int) -> float:
    """The pause after `failures` failures in a row: `first_s` (even above the cap), then
    doubling (from 0.1 s when `first_s` is 0), at most MAX_BACKOFF_S; no jitter."""
    if failures <= 1:
        return first_s
    return Backoff(None, first_s, MAX_BACKOFF_S, restart_s=0.1).ceiling(failures)


class PartitionWorker(WorkerLoop):
    """Splits the FileStaged events of one partition, in order, exactly once."""

    quiet_exits = (SplitInterrupted,)  # a file run cut short by a stop

    def __init__(
        self, env: RunEnv, slots: asyncio.Semaphore, on_idle: Callable[[TopicPartition], None]
    ) -> None:
        source = env.source
        super().__init__(f"splitter-{source.topic}-{source.partition}", env.producer,
                         env.settings, source.partition, _log)  # fmt: skip
        self._env = replace(env, should_stop=lambda: self.stopping)
        self._slots = slots
        self._on_idle = on_idle
        self._queue: deque[Any] = deque()
        self._progress: dict[str, FileProgress] = {}
        self._pruned_at = time.monotonic()

    @property
    def source(self) -> TopicPartition:
        return self._env.source

    def submit(self, records: list[Any]) -> None:
        self._queue.extend(records)
        self._wakeup.set()

    # ------------------------------------------------------------------ loop steps

    def _backoff_s(self, failures: int) -> float:
        return doubling_backoff_s(self._env.settings.retry_backoff_s, failures)

    async def _prepare(self) -> None:
        env = self._env
        await env.producer.start()  # fences the previous owner, settles its transaction
        try:
            self._progress = await read_progress(
                env.settings.bootstrap_servers,
                TopicPartition(env.topics.splitter_progress.name, env.progress_partition),
                source_topic=self.source.topic,
                source_partition=self.source.partition,
                timeout_s=env.settings.state_read_timeout_s,
                done_retention_ms=env.settings.progress_retention_ms,
            )
        except Exception as exc:
            raise CommitFailedError("reading progress failed") from exc

    async def _drain(self) -> None:
        while not self.stopping:
            if not self._queue:
                self._on_idle(self.source)
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            record = self._queue[0]
            async with self._slots:
                await self._process(record)
            self._queue.popleft()

    # ------------------------------------------------------------------ one FileStaged

    async def _process(self, record: Any) -> None:
        attempts = 0
        while True:
            attempts += 1
            with self._env.telemetry.process(record):
                try:
                    await self._split(record)
                except (SplitInterrupted, PartitionLostError, CommitFailedError):
                    raise
                except Exception as exc:  # noqa: BLE001 - every other failure is routed
                    if route_for(exc) is Route.RETRY and attempts < self._env.settings.max_attempts:
                        _log.warning("split failed; retrying", extra={
                            "partition": record.partition, "kafka_offset": record.offset,
                            "attempt": attempts, "error": error_class(exc)})  # fmt: skip
                        self._env.telemetry.retried()
                        await asyncio.sleep(self._env.settings.retry_backoff_s * attempts)
                        continue
                    await self._dead_letter(record, exc, attempts)
                return

    async def _split(self, record: Any) -> None:
        env = self._env
        staged: FileStaged = decode(  # type: ignore[assignment]
            record.value, record.headers, expected=MessageType.FILE_STAGED
        )
        file_id = staged["file_id"]
        token = env.telemetry.file_token(file_id)
        if time.monotonic() - self._pruned_at >= PROGRESS_PRUNE_INTERVAL_S:
            self._pruned_at = time.monotonic()
            now_ms = int(time.time() * 1000)
            drop_finished(self._progress, now_ms, env.settings.progress_retention_ms)
        prior = self._progress.get(file_id)
        if prior is not None and prior.done:
            await env.producer.commit([], {env.source: record.offset + 1}, env.settings.group_id)
            _log.info("file already split; offset committed", extra={"file": token,
                      "partition": record.partition, "kafka_offset": record.offset})  # fmt: skip
            return
        if prior is None:
            prior = FileProgress(file_id, env.source.topic, env.source.partition, record.offset)
        started = time.perf_counter()
        run = FileRun(env, record.offset, staged, prior)
        try:
            with env.telemetry.side_work("split file") as span:
                done = await run.run()
                span.set_attribute(semconv.EDIMESH_SETS, done.sets)
        finally:
            # What is committed, whatever happened; stamped so drop_finished can age it.
            self._progress[file_id] = replace(run.progress, updated_at=datetime.now(UTC))
        _log.info("file split", extra={
            "file": token, "partition": record.partition, "kafka_offset": record.offset,
            "size_bytes": staged["size_bytes"], "sets_count": done.sets,
            "outputs_count": done.outputs, "resumed_outputs_count": prior.outputs,
            "elapsed_seconds": round(time.perf_counter() - started, 3)})  # fmt: skip

    async def _dead_letter(self, record: Any, exc: BaseException, attempts: int) -> None:
        env = self._env
        message = dead_letter_message(env.topics.dlq.name, record, exc, attempts,
                                      datetime.now(UTC), service="splitter")  # fmt: skip
        await env.producer.commit([message], {env.source: record.offset + 1}, env.settings.group_id)
        env.telemetry.dead_lettered()
        _log.warning("FileStaged dead-lettered", extra={
            "partition": record.partition, "kafka_offset": record.offset,
            "error": error_class(exc), "attempt": attempts})  # fmt: skip
