"""Errors of the local sshd harness."""

from __future__ import annotations

from edimesh.errors import ConfigError


class SshdError(ConfigError):
    """The local sshd could not be set up, started or cleaned up. `log_tail` ends its log."""

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(message)
        self.log_tail = log_tail
