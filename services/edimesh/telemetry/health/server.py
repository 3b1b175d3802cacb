"""The health endpoint: GET /livez, /readyz and /metrics over plain asyncio streams.

    readiness = Readiness("kafka_reachable", "partitions_assigned")
    async with HealthServer(HealthSettings(), readiness) as health:
        ...  # health.port is the bound port (None when EDIMESH_HEALTH_PORT=off)

Why not prometheus_client's own server: it runs in a thread with WSGI, so readiness would be
read across threads and a blocked event loop would still look alive. Here every answer comes
from the service's own loop, which is exactly what liveness should test.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from http import HTTPStatus
from types import TracebackType

from prometheus_client import CollectorRegistry

from edimesh.telemetry.health.probes import Heartbeat, Readiness
from edimesh.telemetry.health.protocol import (
    HEAD_END,
    BadRequestError,
    Request,
    Response,
    error_response,
    json_response,
    parse_head,
)
from edimesh.telemetry.health.settings import HealthSettings
from edimesh.telemetry.metrics import prometheus_exposition

_log = logging.getLogger(__name__)
MAX_HEAD_BYTES = 8 * 1024  # a probe's request is a few hundred bytes
READ_TIMEOUT_S = 5.0
WRITE_TIMEOUT_S = 10.0


class HealthServer:
    """Serves the probes until the context exits; a no-op when the settings disable it."""

    def __init__(
        self,
        settings: HealthSettings,
        readiness: Readiness,
        *,
        heartbeat: Heartbeat | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.settings = settings
        self.readiness = readiness
        self.heartbeat = heartbeat or Heartbeat(
            interval_s=settings.heartbeat_interval_s, stale_after_s=settings.stale_after_s
        )
        self._registry = registry
        self._server: asyncio.Server | None = None
        self._beating: asyncio.Task[None] | None = None
        self._clients: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int | None:
        """The bound port (useful with port 0), or None when not serving."""
        if self._server is None:
            return None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def __aenter__(self) -> HealthServer:
        if self.settings.port is None:
            _log.info("health endpoint off")
            return self
        self.heartbeat.beat()
        self._server = await asyncio.start_server(
            self._serve, self.settings.host, self.settings.port, limit=MAX_HEAD_BYTES
        )
        self._beating = asyncio.create_task(self._beat(), name="health-heartbeat")
        _log.info("health endpoint listening", extra={"port": self.port})
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        tasks = [t for t in (self._beating, *self._clients) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()

    async def _beat(self) -> None:
        while True:
            self.heartbeat.beat()
            await asyncio.sleep(self.heartbeat.interval_s)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._clients.add(task)
        try:
            response, head_only = await self._answer(reader)
            if response is not None:
                writer.write(response.encode(head_only=head_only))
                async with asyncio.timeout(WRITE_TIMEOUT_S):
                    await writer.drain()
        except (ConnectionError, TimeoutError):
            pass  # the client went away or stalled: nothing to tell it
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, TimeoutError):
                async with asyncio.timeout(WRITE_TIMEOUT_S):
                    await writer.wait_closed()
            if task is not None:
                self._clients.discard(task)

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[Response | None, bool]:
        """The response and whether to send its head only (HEAD); None: just hang up."""
        try:
            async with asyncio.timeout(READ_TIMEOUT_S):
                head = await reader.readuntil(HEAD_END)
            request = parse_head(head)
        except asyncio.LimitOverrunError:
            return error_response(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE), False
        except asyncio.IncompleteReadError:
            return None, False  # closed before a whole request: a TCP check, or a scanner
        except TimeoutError:
            return error_response(HTTPStatus.REQUEST_TIMEOUT), False
        except BadRequestError as exc:
            return error_response(exc.status), False
        return self.route(request), request.method == "HEAD"

    def route(self, request: Request) -> Response:
        if request.path == "/livez":
            alive = self.heartbeat.alive
            status = HTTPStatus.OK if alive else HTTPStatus.SERVICE_UNAVAILABLE
            return json_response(status, {"status": "alive" if alive else "stale"})
        if request.path == "/readyz":
            unmet = self.readiness.unmet()
            status = HTTPStatus.SERVICE_UNAVAILABLE if unmet else HTTPStatus.OK
            return json_response(
                status, {"status": "not_ready" if unmet else "ready", "unmet": unmet}
            )
        if request.path == "/metrics":
            return self._metrics()
        return error_response(HTTPStatus.NOT_FOUND)

    def _metrics(self) -> Response:
        try:
            body, content_type = prometheus_exposition(self._registry)
        except Exception as exc:  # noqa: BLE001 - a broken collector must not kill the probes
            _log.error("metrics exposition failed", extra={"error": type(exc).__name__})
            return error_response(HTTPStatus.INTERNAL_SERVER_ERROR)
        return Response(HTTPStatus.OK, body, content_type)
