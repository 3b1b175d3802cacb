"""Fixtures for the end-to-end telemetry proofs: the real sshd (from the transfer tests) and
the splitter's bench of fresh mesh topics (from the splitter tests)."""

from __future__ import annotations

import pytest

from tests.integration.sftp.conftest import (  # noqa: F401 - fixtures
    client_keys,
    known_hosts,
    partner_box,
    sftp_session,
    sshd,
)
from tests.integration.splitter.conftest import make_bench  # noqa: F401 - fixture


@pytest.fixture(autouse=True)
def _health_endpoint_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process services share this process: none binds the default health port 8080."""
    monkeypatch.setenv("EDIMESH_HEALTH_PORT", "off")
