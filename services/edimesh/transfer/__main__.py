"""`python -m edimesh.transfer` (and `edimesh run transfer`): start the transfer service."""

from __future__ import annotations

import asyncio
import logging
import sys

from pydantic import ValidationError

from edimesh.errors import ConfigError
from edimesh.mesh.kafka_security import kafka_security
from edimesh.telemetry import TelemetrySettings, start_telemetry
from edimesh.transfer.service import serve
from edimesh.transfer.settings import load_config

_log = logging.getLogger("edimesh.transfer")


def main() -> None:
    """Telemetry, settings and partners, then run until SIGTERM; non-zero exit on failure."""
    try:
        telemetry = start_telemetry(
            TelemetrySettings(service_name="transfer"), client_id="edimesh-transfer"
        )
    except (ConfigError, ValidationError) as exc:
        logging.basicConfig()  # telemetry's JSON logging may not be set up yet
        _log.error("transfer: telemetry: %s", exc)
        sys.exit(2)
    with telemetry:
        try:
            config = load_config()
            kafka_security()  # at start, not at the first connection
        except ConfigError as exc:
            _log.error("transfer: %s", exc)
            sys.exit(2)
        code = asyncio.run(serve(config, telemetry))
    sys.exit(code)


if __name__ == "__main__":
    main()
