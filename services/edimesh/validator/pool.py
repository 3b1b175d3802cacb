"""Validation off the event loop: worker processes (or threads), with bounded in-flight work.

Validation is CPU-bound pure Python, so processes scale it past the GIL; each worker process
loads the guides and code sets once (`warm_up`) when it starts. `processes=0` runs validation
in a thread pool instead (one process, for small deployments and tests). At most
`max_in_flight` sets are submitted at once; a caller waits for room.

Why not `ProcessPoolExecutor`: per set it hands the job to a feeder thread and the verdict (a
validated set's JSON is ~5x its X12) back through a manager thread, and each of those threads
waits for the GIL behind the busy event loop, while the validation process sits blocked on a
full pipe. Measured, the process idled about a fifth of the time between sets. Here the event
loop itself writes and reads each process's pipes (no threads, no GIL hand-off); sets waiting
for a process are sent together, up to `batch_sets` per task, and every process has up to
`TASKS_AHEAD` tasks queued so it never waits for the next.

A worker process that dies (OOM killer, a crash in a C extension) fails only the sets it held:
their callers get a transient error (retried within the set's budget) and the process is
replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gc
import logging
import multiprocessing
import os
import pickle
import signal
import struct
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from edimesh.errors import FatalError, TransientError
from edimesh.validation import warm_up
from edimesh.validator.handler import SetJob, Verdict, check_set

_log = logging.getLogger(__name__)
THREADS = 2
TASKS_AHEAD = 4  # tasks queued per process: the next ones are already in its pipe
PIPE_BYTES = 1 << 20  # asked-for pipe buffer (Linux caps it at fs.pipe-max-size)
STOP_TIMEOUT_S = 10.0
RESTART_BACKOFF_S = 1.0
_F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, missing from older Pythons' fcntl
_FRAME = struct.Struct("!i")  # multiprocessing.Connection's length prefix
_Outcome = tuple[bool, Any]  # (True, Verdict) or (False, the exception check_set raised)


class PoolBrokenError(TransientError):
    """A validation worker process died (or the pool is stopped); the set may be retried."""


class UnpicklableFailureError(FatalError):
    """Validation raised an exception that cannot cross back from the worker process."""


def _serve(jobs: Connection, results: Connection) -> None:  # pragma: no cover - child process
    """A worker process: warm up, then validate task after task until the jobs pipe closes.

    SIGINT is ignored: its life is tied to the pipe (the service stops it by closing the pipe,
    and a killed service's pipe closes too), so a Ctrl-C in a terminal, which reaches the whole
    process group, does not fail the sets of the service's graceful drain."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()
    # Guides, patterns and code sets live as long as the process: out of the collector's sight,
    # full collections stop rescanning them (about 7% of a worker's CPU).
    gc.collect()
    gc.freeze()
    while True:
        try:
            batch: list[SetJob] = pickle.loads(jobs.recv_bytes())  # noqa: S301 - our parent
        except EOFError:
            return
        try:
            results.send_bytes(_dumps([_outcome(job) for job in batch]))
        except BrokenPipeError:  # the service is gone
            return


def _outcome(job: SetJob) -> _Outcome:
    try:
        return True, check_set(job)
    except Exception as exc:  # noqa: BLE001 - the caller routes it
        return False, exc


def _dumps(outcomes: list[_Outcome]) -> bytes:
    try:
        return pickle.dumps(outcomes, pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - an exception that does not pickle: keep its class name
        safe = [o if o[0] or _picklable(o[1]) else
                (False, UnpicklableFailureError(f"validation failed: {type(o[1]).__name__}"))
                for o in outcomes]  # fmt: skip
        return pickle.dumps(safe, pickle.HIGHEST_PROTOCOL)


def _picklable(value: object) -> bool:
    try:
        pickle.dumps(value)
    except Exception:  # noqa: BLE001
        return False
    return True


def _grow_pipe(fd: int) -> None:
    with contextlib.suppress(OSError):  # only a hint; the default 64 KiB still works
        fcntl.fcntl(fd, _F_SETPIPE_SZ, PIPE_BYTES)


def _pipe_file(conn: Connection, mode: str) -> Any:
    fd = os.dup(conn.fileno())
    conn.close()
    os.set_blocking(fd, False)
    return os.fdopen(fd, mode, buffering=0)


class _Results(asyncio.Protocol):
    """Reads one process's framed results and hands each to the process."""

    def __init__(self, process: _WorkerProcess) -> None:
        self._process = process
        self._buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= _FRAME.size:
            (size,) = _FRAME.unpack_from(buffer)
            if size < 0:  # a >2 GiB frame: never sent by _serve
                self._process.lost("oversized result")
                return
            end = _FRAME.size + size
            if len(buffer) < end:
                return
            with memoryview(buffer) as view:
                outcomes = pickle.loads(view[_FRAME.size : end])  # noqa: S301 - our child
            del buffer[:end]
            self._process.delivered(outcomes)

    def connection_lost(self, exc: Exception | None) -> None:
        self._process.lost("result pipe closed")


class _WorkerProcess:
    """One worker process, its two pipes, and the sets it holds (oldest task first)."""

    def __init__(self, pool: ValidationPool) -> None:
        self._pool = pool
        self.tasks: deque[list[asyncio.Future[Verdict]]] = deque()
        self.alive = False
        self._process: Any = None
        self._jobs: asyncio.WriteTransport | None = None
        self._results: asyncio.ReadTransport | None = None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else int(self._process.pid)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        context = multiprocessing.get_context("spawn")  # no fork of a running event loop
        job_r, job_w = context.Pipe(duplex=False)
        res_r, res_w = context.Pipe(duplex=False)
        process = context.Process(target=_serve, args=(job_r, res_w), name="edimesh-validate",
                                  daemon=True)  # fmt: skip
        await asyncio.to_thread(process.start)
        job_r.close()
        res_w.close()
        _grow_pipe(job_w.fileno())
        _grow_pipe(res_r.fileno())
        self._process = process
        self.alive = True
        self._jobs, _ = await loop.connect_write_pipe(asyncio.Protocol,
                                                      _pipe_file(job_w, "wb"))  # fmt: skip
        self._results, _ = await loop.connect_read_pipe(lambda: _Results(self),
                                                        _pipe_file(res_r, "rb"))  # fmt: skip

    def send(self, jobs: list[SetJob], futures: list[asyncio.Future[Verdict]]) -> None:
        assert self._jobs is not None, "started"
        payload = pickle.dumps(jobs, pickle.HIGHEST_PROTOCOL)
        self.tasks.append(futures)
        self._jobs.write(_FRAME.pack(len(payload)) + payload)

    def delivered(self, outcomes: list[_Outcome]) -> None:
        if not self.tasks:  # its sets were failed already (the pool is stopping)
            return
        futures = self.tasks.popleft()
        for future, (ok, value) in zip(futures, outcomes, strict=True):
            if future.done():  # its caller was cancelled (a revoked partition)
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        self._pool.pump()

    def lost(self, why: str) -> None:
        if not self.alive:
            return
        self.alive = False
        held = [f for task in self.tasks for f in task]
        self.tasks.clear()
        for future in held:
            if not future.done():
                future.set_exception(PoolBrokenError("a validation process died"))
        self.close()
        self._pool.replace(self, why, len(held))

    def close(self) -> None:
        self.alive = False
        for transport in (self._jobs, self._results):
            if transport is not None:
                transport.close()

    async def stop(self) -> None:
        """Close its jobs pipe (it exits after the task at hand); kill it if it lingers."""
        self.alive = False  # its exit is expected now: not a death to replace
        if self._jobs is not None:
            self._jobs.close()
        process = self._process
        if process is not None:
            await asyncio.to_thread(process.join, STOP_TIMEOUT_S)
            if process.is_alive():
                process.kill()
                await asyncio.to_thread(process.join)
        self.close()
        for future in [f for task in self.tasks for f in task]:
            if not future.done():
                future.set_exception(PoolBrokenError("the validation pool stopped"))
        self.tasks.clear()


class ValidationPool:
    def __init__(self, processes: int, max_in_flight: int, batch_sets: int = 8) -> None:
        self._processes = processes
        self._room = asyncio.Semaphore(max_in_flight)
        self._batch_sets = max(1, batch_sets)
        self._threads: ThreadPoolExecutor | None = None
        self._workers: list[_WorkerProcess] = []
        self._waiting: deque[tuple[SetJob, asyncio.Future[Verdict]]] = deque()
        self._started = False
        self._replacing: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start the processes (they warm up on their own) or warm up and start threads."""
        if self._processes == 0:
            await asyncio.to_thread(warm_up)  # the guides load before polling starts
            self._threads = ThreadPoolExecutor(THREADS, thread_name_prefix="validate")
        else:
            workers = [_WorkerProcess(self) for _ in range(self._processes)]
            self._workers = workers
            try:
                await asyncio.gather(*(w.start() for w in workers))
            except BaseException:
                await self.stop()  # the ones that did start
                raise
        self._started = True

    async def validate(self, job: SetJob) -> Verdict:
        async with self._room:
            if not self._started:
                raise PoolBrokenError("the validation pool is not started")
            loop = asyncio.get_running_loop()
            if self._threads is not None:
                return await loop.run_in_executor(self._threads, check_set, job)
            future: asyncio.Future[Verdict] = loop.create_future()
            self._waiting.append((job, future))
            self.pump()
            return await future

    def pump(self) -> None:
        """Send waiting sets to the least busy processes: spread over the free task slots, at
        most `batch_sets` per task."""
        waiting = self._waiting
        while waiting and waiting[0][1].done():  # cancelled while waiting
            waiting.popleft()
        while waiting:
            live = [w for w in self._workers if w.alive and len(w.tasks) < TASKS_AHEAD]
            if not live:
                return
            worker = min(live, key=lambda w: len(w.tasks))
            slots = sum(TASKS_AHEAD - len(w.tasks) for w in live)
            take = min(self._batch_sets, -(-len(waiting) // slots))
            jobs: list[SetJob] = []
            futures: list[asyncio.Future[Verdict]] = []
            while waiting and len(jobs) < take:
                job, future = waiting.popleft()
                if not future.done():
                    jobs.append(job)
                    futures.append(future)
            if jobs:
                worker.send(jobs, futures)

    def replace(self, dead: _WorkerProcess, why: str, held: int) -> None:
        """Start a new process for one that died (unless the pool is stopping)."""
        _log.warning("validation process died; replacing it",
                     extra={"reason": why, "sets_failed": held})  # fmt: skip
        if not self._started or dead not in self._workers:
            return
        fresh = _WorkerProcess(self)
        self._workers[self._workers.index(dead)] = fresh
        task = asyncio.create_task(self._start_replacement(dead, fresh))
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)

    async def _start_replacement(self, dead: _WorkerProcess, fresh: _WorkerProcess) -> None:
        await dead.stop()  # reap it
        while self._started:
            try:
                await fresh.start()
            except Exception as exc:  # noqa: BLE001 - waiting sets need a process: try again
                _log.error("could not start a validation process; retrying",
                           extra={"error": type(exc).__name__})  # fmt: skip
                await fresh.stop()
                await asyncio.sleep(RESTART_BACKOFF_S)
                continue
            self.pump()
            return

    async def stop(self) -> None:
        self._started = False
        for _, future in self._waiting:
            if not future.done():
                future.set_exception(PoolBrokenError("the validation pool stopped"))
        self._waiting.clear()
        for task in list(self._replacing):
            task.cancel()
        await asyncio.gather(*self._replacing, return_exceptions=True)
        workers, self._workers = self._workers, []
        await asyncio.gather(*(w.stop() for w in workers))
        threads, self._threads = self._threads, None
        if threads is not None:
            threads.shutdown(wait=True, cancel_futures=True)

    def process_ids(self) -> list[int]:
        """The live worker processes' pids (for tests and diagnostics)."""
        return [w.pid for w in self._workers if w.alive and w.pid is not None]
