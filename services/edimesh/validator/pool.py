"""Validation off the event loop: a process pool (or threads), with bounded in-flight work.

Validation is CPU-bound pure Python, so processes scale it past the GIL; each worker process
loads the guides and code sets once (`warm_up`) when it starts. `processes=0` runs validation
in a thread pool instead (one process, for small deployments and tests). At most
`max_in_flight` sets are submitted at once; a caller waits for room.

A worker process that dies (OOM killer, a crash in a C extension) breaks the pool: the pool is
rebuilt and the caller gets a transient error, so the set is retried within its budget.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from edimesh.errors import TransientError
from edimesh.validation import warm_up
from edimesh.validator.handler import SetJob, Verdict, check_set

THREADS = 2


class PoolBrokenError(TransientError):
    """A validation worker process died; the pool was rebuilt."""


class ValidationPool:
    def __init__(self, processes: int, max_in_flight: int) -> None:
        self._processes = processes
        self._room = asyncio.Semaphore(max_in_flight)
        self._executor: Executor | None = None

    def start(self) -> None:
        if self._processes == 0:
            warm_up()
            self._executor = ThreadPoolExecutor(THREADS, thread_name_prefix="validate")
        else:
            self._executor = ProcessPoolExecutor(
                self._processes,
                mp_context=multiprocessing.get_context("spawn"),  # no fork of a running loop
                initializer=warm_up,
            )

    async def validate(self, job: SetJob) -> Verdict:
        async with self._room:
            executor = self._executor
            if executor is None:
                raise PoolBrokenError("the validation pool is not started")
            try:
                return await asyncio.get_running_loop().run_in_executor(executor, check_set, job)
            except BrokenProcessPool:
                if self._executor is executor:
                    executor.shutdown(wait=False, cancel_futures=True)
                    self.start()
                raise PoolBrokenError("a validation process died; the pool was rebuilt") \
                    from None  # fmt: skip

    def stop(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
