"""The entry point of a consume-transform-produce service: settings, telemetry, signals and
exit codes, the same for every service (`python -m edimesh.<service>`)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Protocol, TypeVar

from pydantic import ValidationError

from edimesh.errors import ConfigError, TransientError
from edimesh.mesh.kafka_security import kafka_security
from edimesh.mesh.telemetry_parts import TelemetryParts
from edimesh.mesh.transactions import quiet_fenced_futures
from edimesh.telemetry import TelemetrySettings, start_telemetry

EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 1  # e.g. Kafka unreachable at start: the orchestrator retries

_log = logging.getLogger(__name__)


class StoppableService(Protocol):
    def request_stop(self) -> None: ...

    async def run(self) -> None: ...


SettingsT = TypeVar("SettingsT")
ServiceFactory = Callable[
    [SettingsT, TelemetryParts], AbstractAsyncContextManager[StoppableService]
]


def run_service(
    name: str,
    env_prefix: str,
    load_settings: Callable[[], SettingsT],
    make_service: ServiceFactory[SettingsT],
) -> None:
    """Run until SIGTERM or SIGINT, then drain. Exit 2 on bad configuration, 1 when a
    dependency cannot be reached at start."""
    try:
        settings = load_settings()
        kafka_security()  # at start, not at the first connection
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
        sys.stderr.write(f"{name}: invalid {env_prefix}* settings: {fields}\n")
        raise SystemExit(EXIT_CONFIG) from None
    except ConfigError as exc:
        sys.stderr.write(f"{name}: {exc}\n")
        raise SystemExit(EXIT_CONFIG) from None
    try:
        asyncio.run(_serve(name, settings, make_service))
    except ConfigError as exc:
        sys.stderr.write(f"{name}: {exc}\n")
        raise SystemExit(EXIT_CONFIG) from None
    except TransientError as exc:
        sys.stderr.write(f"{name}: {exc}\n")
        raise SystemExit(EXIT_UNAVAILABLE) from None


async def _serve(name: str, settings: SettingsT, make_service: ServiceFactory[SettingsT]) -> None:
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(quiet_fenced_futures)
    async with AsyncExitStack() as stack:
        telemetry = stack.enter_context(start_telemetry(TelemetrySettings(service_name=name)))
        service = await stack.enter_async_context(make_service(settings, telemetry))
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, service.request_stop)
        await service.run()
        _log.info("stop requested: finishing the current batches")
