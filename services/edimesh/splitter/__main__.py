"""`python -m edimesh.splitter`: run the splitter until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from contextlib import AsyncExitStack

from pydantic import ValidationError

from edimesh.errors import ConfigError, TransientError
from edimesh.mesh.transactions import quiet_fenced_futures
from edimesh.splitter.service import SplitterService
from edimesh.splitter.settings import SplitterSettings
from edimesh.telemetry import TelemetrySettings, start_telemetry

_log = logging.getLogger("edimesh.splitter")
EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 1


async def _serve(settings: SplitterSettings) -> None:
    asyncio.get_running_loop().set_exception_handler(quiet_fenced_futures)
    async with AsyncExitStack() as stack:
        telemetry = stack.enter_context(start_telemetry(TelemetrySettings(service_name="splitter")))
        service = await stack.enter_async_context(SplitterService(settings, telemetry))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, service.request_stop)
        await service.run()
        _log.info("stop requested: finishing the current batches")


def main() -> None:
    """Start the splitter; return after a graceful stop. Exit 2 on bad configuration, 1 when
    Kafka cannot be reached at start."""
    try:
        settings = SplitterSettings()
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
        sys.stderr.write(f"splitter: invalid EDIMESH_SPLITTER_* settings: {fields}\n")
        raise SystemExit(EXIT_CONFIG) from None
    try:
        asyncio.run(_serve(settings))
    except ConfigError as exc:
        sys.stderr.write(f"splitter: {exc}\n")
        raise SystemExit(EXIT_CONFIG) from None
    except TransientError as exc:  # e.g. Kafka unreachable at start: the orchestrator retries
        sys.stderr.write(f"splitter: {exc}\n")
        raise SystemExit(EXIT_UNAVAILABLE) from None


if __name__ == "__main__":
    main()
