"""Errors of the local broker. Each message is one line that says what to do."""

from __future__ import annotations

from edimesh.errors import ConfigError


class BrokerError(ConfigError):
    """Anything that keeps the local Kafka broker from being fetched, started or stopped."""


class JavaMissingError(BrokerError):
    """No usable `java` (or one too old for the requested Kafka line)."""


class MavenMissingError(BrokerError):
    """No `mvn` on PATH, and the jars are not cached yet."""


class FetchError(BrokerError):
    """Maven ran but did not produce the broker jars."""


class MavenCentralUnreachableError(FetchError):
    """Maven could not download from Maven Central (network, proxy, DNS, TLS)."""


class PortInUseError(BrokerError):
    """A port the broker needs is already bound by another process."""


class BrokerStartError(BrokerError):
    """The broker process did not become ready. `log_tail` holds the end of its logs."""

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(message)
        self.log_tail = log_tail


class BrokerExitedError(BrokerStartError):
    """The broker process exited while starting (or while it should be running)."""


class BrokerTimeoutError(BrokerStartError):
    """The broker did not become ready within the start timeout."""
