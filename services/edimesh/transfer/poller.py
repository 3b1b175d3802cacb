"""One partner's loop: list, pick the complete files, hand each to the handler, repeat.

Downloads run as tasks, bounded per partner (`max_parallel_files`) and across partners (a shared
semaphore). A transient failure of one file is logged and the file is tried again at a later
poll. An authentication, host-key or configuration failure halts this partner at once, without
retrying (the other partners go on). Anything else stops the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from edimesh.errors import EdiMeshError, Route, route_for
from edimesh.transfer.completeness import RemoteEntry, select_ready
from edimesh.transfer.handler import FileHandler, Outcome
from edimesh.transfer.remote import SftpSource

_log = logging.getLogger(__name__)


class State(StrEnum):
    POLLING = "polling"
    HALTED = "halted"  # fail-fast error: needs an operator, not a retry
    STOPPED = "stopped"


@dataclass
class PartnerStatus:
    """What the poller has done so far: for logs, health checks and tests."""

    state: State = State.POLLING
    polls: int = 0
    published: int = 0
    duplicates: int = 0
    bytes_fetched: int = 0  # downloaded into staged files
    bytes_resumed: int = 0  # kept from a crashed run's part files instead of downloaded again
    failures: dict[str, int] = field(default_factory=dict)  # error class name -> count
    halted_by: str | None = None  # the error class that halted the partner


class PartnerPoller:
    def __init__(
        self,
        source: SftpSource,
        handler: FileHandler,
        limiter: asyncio.Semaphore,
        *,
        drain_timeout_s: float,
    ):
        self.partner = source.partner
        self.status = PartnerStatus()
        self._source = source
        self._handler = handler
        self._limiter = limiter
        self._local = asyncio.Semaphore(self.partner.max_parallel_files)
        self._drain_timeout_s = drain_timeout_s
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        self._failure: BaseException | None = None
        self._wake = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop`; then let downloads in flight finish within the drain timeout."""
        seen: Mapping[str, RemoteEntry] = {}
        try:
            while not stop.is_set() and self._failure is None:
                try:
                    seen = await self._poll(seen, stop)
                except EdiMeshError as exc:  # a fail-fast error while listing
                    self._fail(exc)
                    break
                await _first_of(stop, self._wake, wait_s=self.partner.poll_interval_s)
        except BaseException:
            await self._drain(cancel=True)  # the service is going down: abandon at once
            raise
        await self._drain(cancel=self._failure is not None)
        self._finish()

    async def _poll(
        self, seen: Mapping[str, RemoteEntry], stop: asyncio.Event
    ) -> dict[str, RemoteEntry]:
        self.status.polls += 1
        try:
            listing = await self._source.list()
        except EdiMeshError as exc:
            if route_for(exc) is not Route.RETRY:
                raise
            self._count(exc)
            return dict(seen)
        self._handler.prune(listing)
        selection = select_ready(seen, listing, self.partner.pattern, self.partner.temporary_suffix)
        for entry in selection.ready:
            if entry.name not in self._in_flight:
                task = asyncio.create_task(self._one(entry, stop))
                self._in_flight[entry.name] = task
                task.add_done_callback(functools.partial(self._forget, entry.name))
        return dict(selection.seen)

    async def _one(self, entry: RemoteEntry, stop: asyncio.Event) -> None:
        async with self._local, self._limiter:
            if stop.is_set() or self._failure is not None:
                return  # not started: the file stays for the next run
            try:
                outcome = await self._handler.handle(entry)
            except EdiMeshError as exc:
                if route_for(exc) is not Route.RETRY:
                    self._fail(exc)
                    return
                self._count(exc)
                return
            except Exception as exc:  # noqa: BLE001 - a bug: stop the service, keep the class only
                self._fail(exc)
                return
            finally:
                self.status.published = self._handler.outcomes[Outcome.PUBLISHED]
                self.status.duplicates = self._handler.outcomes[Outcome.DUPLICATE]
                self.status.bytes_fetched = self._handler.bytes_fetched
                self.status.bytes_resumed = self._handler.bytes_resumed
        _log.info("partner %s: file %s (%d bytes)", self.partner.name, outcome.value, entry.size)

    def _forget(self, name: str, _task: asyncio.Task[None]) -> None:
        self._in_flight.pop(name, None)

    def _count(self, exc: EdiMeshError) -> None:
        name = type(exc).__name__
        self.status.failures[name] = self.status.failures.get(name, 0) + 1
        _log.warning("partner %s: %s: %s (retried next poll)", self.partner.name, name, exc)

    def _fail(self, exc: BaseException) -> None:
        if self._failure is None:
            self._failure = exc
        self._wake.set()

    async def _drain(self, *, cancel: bool) -> None:
        tasks = list(self._in_flight.values())
        if not tasks:
            return
        if not cancel:
            await asyncio.wait(tasks, timeout=self._drain_timeout_s)
        if any(not task.done() for task in tasks):
            self._source.abort()  # reads in flight fail at once instead of waiting on the link
        for task in tasks:
            task.cancel()  # abandoned: the handler keeps a resumable .part, the remote file stays
        await asyncio.gather(*tasks, return_exceptions=True)

    def _finish(self) -> None:
        failure = self._failure
        if failure is None:
            self.status.state = State.STOPPED
            return
        self.status.state = State.HALTED
        self.status.halted_by = type(failure).__name__
        if isinstance(failure, EdiMeshError) and route_for(failure) is Route.FAIL_FAST:
            name = self.partner.name
            _log.error("partner %s halted: %s: %s", name, self.status.halted_by, failure)
            return
        raise failure


async def _first_of(*events: asyncio.Event, wait_s: float) -> None:
    """Return when any event is set or after `wait_s` seconds."""
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=wait_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*waiters, return_exceptions=True)
