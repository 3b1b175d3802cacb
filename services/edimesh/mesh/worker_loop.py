"""What every partition worker repeats (splitter, validator, acknowledger): its task, a stop that
lets the current batch finish, and the loop that prepares, drains and starts over after a
failure.

    class PartitionWorker(WorkerLoop):
        async def _prepare(self): ...    # start the producer (fencing), read state back
        async def _drain(self): ...      # process queued records until stopping
        def _backoff_s(self, failures): ...

Failures of Kafka itself are not the records' fault: the commit's outcome is unknown, so the
loop prepares again (restarting the producer, re-reading what is committed), with backoff and
no attempt limit. Fenced by another producer, it stops writing and waits to be revoked; if no
rebalance comes (a broker-side epoch bump), it prepares again after two sessions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from edimesh.mesh.dead_letter import error_class
from edimesh.mesh.group_member import finish_task
from edimesh.mesh.service_settings import GroupServiceSettings
from edimesh.mesh.transactions import PartitionLostError, PartitionProducer

_log = logging.getLogger(__name__)
MAX_FAILURE_STREAK = 10  # the backoff's attempt number stops growing here


class WorkerLoop:
    """A partition worker's task and its prepare/drain/retry loop; subclasses give the steps."""

    # The warning logged when a step fails (the subclass says what starting over means).
    failure_message = "partition worker failed; restarting the partition's producer"
    # Raised by a step when the worker is stopping: the loop ends without a warning.
    quiet_exits: tuple[type[BaseException], ...] = ()

    def __init__(
        self,
        name: str,
        producer: PartitionProducer,
        settings: GroupServiceSettings,
        partition: int,
        log: logging.Logger,
    ) -> None:
        self._name = name  # the task's
        self._producer = producer
        self._loop_settings = settings
        self._partition = partition
        self._loop_log = log  # the worker module's logger: log lines keep their logger name
        self._wakeup = asyncio.Event()  # new records, or a stop
        self._stop_requested = asyncio.Event()  # set once, by stop(); cuts backoff sleeps short
        self._task: asyncio.Task[None] | None = None
        self._ready = False

    @property
    def stopping(self) -> bool:
        return self._stop_requested.is_set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._main(), name=self._name)

    async def stop(self, timeout_s: float) -> None:
        """Finish the current batch (committed) and stop. Idempotent."""
        self._stop_requested.set()
        self._wakeup.set()
        await finish_task(self._task, timeout_s)
        await self._producer.stop()

    # ------------------------------------------------------------------ steps

    async def _prepare(self) -> None:
        """Start the producer (it fences the previous owner) and read the state back."""
        raise NotImplementedError

    async def _drain(self) -> None:
        """Process the queued records until stopping."""
        raise NotImplementedError

    def _backoff_s(self, failures: int) -> float:
        """The pause after `failures` failures in a row."""
        raise NotImplementedError

    def _forget(self) -> None:
        """Drop what a failed step may have left half done (it is read back by `_prepare`)."""

    # ------------------------------------------------------------------ loop

    async def _main(self) -> None:
        failures = 0
        while not self.stopping:
            try:
                if not self._ready:
                    await self._prepare()
                    self._ready = True
                await self._drain()
                failures = 0
            except self.quiet_exits:
                return
            except PartitionLostError:
                self._loop_log.warning(
                    "partition taken over by another producer; waiting to be revoked",
                    extra={"partition": self._partition},
                )
                self._ready = False
                self._forget()
                await self._sleep(self._loop_settings.session_timeout_ms / 1000 * 2)
            except Exception as exc:  # noqa: BLE001 - Kafka trouble, or a bug outside a record:
                # never let the worker die with its partition assigned and paused.
                failures += 1
                self._loop_log.warning(self.failure_message, extra={
                    "partition": self._partition, "error": error_class(exc)})  # fmt: skip
                self._ready = False
                self._forget()
                await self._sleep(self._backoff_s(failures))

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop_requested.wait(), seconds)
