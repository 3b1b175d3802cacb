"""A TCP proxy that misbehaves on purpose: reset or stall a connection after N bytes.

Connection number i (0-based) follows faults[i]; later connections pass through untouched.
Only bytes from the server to the client are counted, so the cut lands mid-download.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import struct
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    RESET = "reset"  # RST both ways: the client sees a connection reset
    STALL = "stall"  # stop forwarding, keep the sockets open: only keepalives can tell


@dataclass(frozen=True)
class Fault:
    kind: Kind
    after_bytes: int


class FaultyProxy:
    def __init__(self, target_port: int, faults: Sequence[Fault | None] = ()):
        self._target_port = target_port
        self._faults = list(faults)
        self.connections = 0
        self.faults_fired = 0
        self.bytes_down = 0  # server to client, forwarded, over every connection
        self.down_by_connection: list[int] = []  # the same, per connection in accept order
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[FaultyProxy]:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        try:
            yield self
        finally:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index = self.connections
        self.connections += 1
        self.down_by_connection.append(0)
        fault = self._faults[index] if index < len(self._faults) else None
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target_port)
            pumps = [
                asyncio.create_task(_pump(reader, up_writer, None)),
                asyncio.create_task(
                    _pump(up_reader, writer, fault, functools.partial(self._count_down, index))
                ),
            ]
            done, pending = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            fired = any(not t.cancelled() and t.result() for t in done)
            if fired:
                self.faults_fired += 1
                if fault is not None and fault.kind is Kind.STALL:
                    await asyncio.gather(
                        *pending, return_exceptions=True
                    )  # until the client gives up
                _reset(writer)
                _reset(up_writer)
            for pump in pending:
                pump.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            for stream in (writer, up_writer):
                stream.close()
        except (ConnectionError, OSError):
            writer.close()
        finally:
            self._tasks.discard(task)

    def _count_down(self, index: int, count: int) -> None:
        self.bytes_down += count
        self.down_by_connection[index] += count


async def _pump(
    source: asyncio.StreamReader,
    sink: asyncio.StreamWriter,
    fault: Fault | None,
    count: Callable[[int], None] = lambda _: None,
) -> bool:
    """Copy until EOF; True when the fault fired (the stream was cut or stalled)."""
    sent = 0
    with contextlib.suppress(ConnectionError, OSError):
        while data := await source.read(65536):
            if fault is not None and sent + len(data) >= fault.after_bytes:
                sink.write(data[: fault.after_bytes - sent])
                count(fault.after_bytes - sent)
                await sink.drain()
                return True  # stop forwarding; the caller resets or stalls
            sink.write(data)
            count(len(data))
            await sink.drain()
            sent += len(data)
    return False


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST, not FIN: what a dropped NAT entry or a crashed peer looks like."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
