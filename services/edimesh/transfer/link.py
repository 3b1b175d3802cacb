"""One partner's SSH link, shared by its downloads and reopened after a drop.

`run(op)` calls `op` with the current SFTP session (connecting if needed). When `op` fails at the
connection level, the session is dropped, and after an exponential backoff with jitter `op` is
called again on a fresh session, a bounded number of times. An `op` that keeps its own progress
(download.py) therefore resumes where it stopped. Authentication and host-key failures are never
retried.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self, TypeVar

import asyncssh

from edimesh.transfer.backoff import Backoff
from edimesh.transfer.errors import LinkLostError, RetriesExhaustedError
from edimesh.transfer.partners import Partner
from edimesh.transfer.sshclient import LinkOptions, Session, connect

T = TypeVar("T")
_CLOSE_TIMEOUT_S = 5.0
Connector = Callable[[Partner, LinkOptions], Awaitable[Session]]
Sleep = Callable[[float], Awaitable[None]]

# "The connection is gone", as opposed to an SFTP status about one file.
CONNECTION_FAILURES: tuple[type[BaseException], ...] = (
    LinkLostError,
    asyncssh.DisconnectError,
    asyncssh.ChannelOpenError,
    asyncssh.SFTPConnectionLost,
    asyncssh.SFTPNoConnection,
    OSError,
    TimeoutError,
    asyncio.IncompleteReadError,
)


class PartnerLink:
    def __init__(
        self,
        partner: Partner,
        options: LinkOptions,
        retry: Backoff,
        *,
        connector: Connector = connect,
        sleep: Sleep = asyncio.sleep,
        on_retry: Callable[[], None] = lambda: None,
    ):
        self.partner = partner
        self._on_retry = on_retry  # a metrics hook: counts reconnect-and-retry rounds
        self._options = options
        self._retry = retry
        self._connector = connector
        self._sleep = sleep
        self._current: Session | None = None
        self._lock = asyncio.Lock()
        self.connects = 0  # successful connections: for status and tests
        self.failures = 0  # connection-level failures seen by run()

    async def run(self, op: Callable[[asyncssh.SFTPClient], Awaitable[T]]) -> T:
        """`op(sftp)`, retried on fresh sessions after connection failures."""
        failures = 0
        while True:
            session: Session | None = None
            try:
                session = await self._session()
                return await op(session.sftp)
            except CONNECTION_FAILURES as exc:
                if session is not None:
                    self._drop(session)
                if _cancelling():  # shutting down: the failure is ours (abort), do not retry
                    raise
                failures += 1
                self.failures += 1
                if not self._retry.allows(failures):
                    raise RetriesExhaustedError(
                        f"partner {self.partner.name!r}: gave up after {failures} connection "
                        f"failures (last: {type(exc).__name__}); the file is tried next poll"
                    ) from None
                self._on_retry()
                await self._sleep(self._retry.delay(failures))

    async def _session(self) -> Session:
        async with self._lock:
            if self._current is None:
                self._current = await self._connector(self.partner, self._options)
                self.connects += 1
            return self._current

    def _drop(self, session: Session) -> None:
        """Forget `session` if it is still the current one; idempotent."""
        if self._current is session:
            self._current = None
            session.connection.abort()

    def abort(self) -> None:
        """Drop the connection at once: operations in flight on it fail immediately."""
        if self._current is not None:
            self._drop(self._current)

    async def close(self) -> None:
        """Close the connection, if any, within a bound; idempotent."""
        session, self._current = self._current, None
        if session is None:
            return
        session.connection.close()
        try:
            async with asyncio.timeout(_CLOSE_TIMEOUT_S):
                await session.connection.wait_closed()
        except TimeoutError:
            session.connection.abort()  # the peer stopped answering

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


def _cancelling() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
