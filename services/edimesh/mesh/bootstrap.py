"""Where the Kafka broker is: one rule shared by the services, the CLI and the tests."""

from __future__ import annotations

import os

from edimesh.errors import ConfigError

BOOTSTRAP_ENV = "EDIMESH_BOOTSTRAP"
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


def resolve_bootstrap(explicit: str | None = None) -> str:
    """`explicit` if given, else $EDIMESH_BOOTSTRAP, else 127.0.0.1:9092.

    The value is a comma-separated list of host:port; each entry must name a port.
    """
    value = explicit if explicit is not None else os.environ.get(BOOTSTRAP_ENV, "")
    value = value.strip() or DEFAULT_BOOTSTRAP
    for entry in value.split(","):
        host, sep, port = entry.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(
                f"bootstrap server {entry.strip()!r} is not host:port "
                f"(from {'the argument' if explicit is not None else BOOTSTRAP_ENV})"
            )
    return ",".join(entry.strip() for entry in value.split(","))
