"""The partition worker's shared loop without a broker: a failed step is logged and prepared
again after its backoff, a fenced producer waits, a quiet exit ends the loop, and stop lets
the current step finish before the producer stops."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from edimesh.mesh.service_settings import GroupServiceSettings
from edimesh.mesh.transactions import PartitionLostError
from edimesh.mesh.worker_loop import WorkerLoop

_log = logging.getLogger("tests.worker")


class StopSplitError(Exception):
    pass


class FakeProducer:
    def __init__(self) -> None:
        self.stops = 0

    async def stop(self) -> None:
        self.stops += 1


class ScriptedWorker(WorkerLoop):
    """Each `_prepare` and `_drain` call takes the next outcome of its script: an exception
    to raise, or None to succeed. A drain with no outcome left waits for the stop."""

    quiet_exits = (StopSplitError,)

    def __init__(self, prepares: list[BaseException | None], drains: list[BaseException | None]):
        self.producer = FakeProducer()
        producer: Any = self.producer
        super().__init__("scripted-0", producer, GroupServiceSettings(session_timeout_ms=1000,
                         heartbeat_interval_ms=100), 0, _log)  # fmt: skip
        self.prepares, self.drains = prepares, drains
        self.calls: list[str] = []
        self.backoffs: list[int] = []
        self.forgotten = 0
        self.forgot = asyncio.Event()
        self.idle = asyncio.Event()

    async def _prepare(self) -> None:
        self.calls.append("prepare")
        outcome = self.prepares.pop(0) if self.prepares else None
        if outcome is not None:
            raise outcome

    async def _drain(self) -> None:
        self.calls.append("drain")
        if self.drains:
            outcome = self.drains.pop(0)
            if outcome is not None:
                raise outcome
            return
        self.idle.set()
        while not self.stopping:
            await self._wakeup.wait()

    def _backoff_s(self, failures: int) -> float:
        self.backoffs.append(failures)
        return 0.0

    def _forget(self) -> None:
        self.forgotten += 1
        self.forgot.set()


async def run_until_idle(worker: ScriptedWorker, stop_timeout_s: float = 5) -> None:
    worker.start()
    await worker.idle.wait()
    await worker.stop(stop_timeout_s)


async def test_a_failed_step_is_logged_and_prepared_again_after_a_growing_backoff(
    caplog: pytest.LogCaptureFixture,
) -> None:
    worker = ScriptedWorker(prepares=[RuntimeError("no broker"), None, None],
                            drains=[ConnectionError("lost")])  # fmt: skip
    with caplog.at_level(logging.WARNING, logger=_log.name):
        await run_until_idle(worker)
    assert worker.calls == ["prepare", "prepare", "drain", "prepare", "drain"]
    assert worker.backoffs == [1, 2]
    assert worker.forgotten == 2
    assert [(r.getMessage(), getattr(r, "error", None)) for r in caplog.records] == [
        (WorkerLoop.failure_message, "builtins.RuntimeError"),
        (WorkerLoop.failure_message, "builtins.ConnectionError"),
    ]
    assert worker.producer.stops == 1


async def test_a_fenced_producer_waits_to_be_revoked_then_prepares_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    worker = ScriptedWorker(prepares=[None, None], drains=[PartitionLostError("fenced")])
    with caplog.at_level(logging.WARNING, logger=_log.name):
        worker.start()
        await worker.forgot.wait()
    assert "partition taken over" in caplog.text
    assert worker.calls == ["prepare", "drain"]  # waiting: the stop cuts the wait short
    await worker.stop(5)
    assert worker.calls == ["prepare", "drain"]
    assert worker.backoffs == []
    assert worker.forgotten == 1


async def test_a_quiet_exit_ends_the_loop_without_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    worker = ScriptedWorker(prepares=[None], drains=[StopSplitError()])
    with caplog.at_level(logging.WARNING, logger=_log.name):
        worker.start()
        assert worker._task is not None
        await worker._task
    assert worker.calls == ["prepare", "drain"]
    assert caplog.records == []
    await worker.stop(5)
    await worker.stop(5)  # idempotent: the task is done
    assert worker.stopping


async def test_stop_cancels_a_step_that_does_not_finish_in_time() -> None:
    worker = ScriptedWorker(prepares=[None], drains=[])

    async def stuck() -> None:
        worker.idle.set()
        await asyncio.Event().wait()

    worker._drain = stuck  # type: ignore[method-assign]
    await run_until_idle(worker, stop_timeout_s=0.01)
    assert worker._task is not None
    assert worker._task.cancelled()
    assert worker.producer.stops == 1
