"""The validator's /readyz follows the broker: 200 with it, 503 while it is stopped, 200 again
once it is back; /livez stays 200 throughout (a lost broker is not a dead process). Runs on
its own broker (`own_broker`): stopping the session's broker would break every other test."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from edimesh.localbroker import LocalBroker
from edimesh.mesh.admin import ensure_topics
from edimesh.mesh.topics import mesh_topics
from edimesh.validator import service as service_module
from edimesh.validator.service import KAFKA_REACHABLE, ValidatorService
from edimesh.validator.settings import ValidatorSettings
from tests.integration.service_process import running
from tests.integration.splitter.test_health import (  # noqa: F401 - own_broker is a fixture
    get,
    own_broker,
    until_status,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@pytest.fixture
async def validator(
    own_broker: LocalBroker,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[ValidatorService]:
    monkeypatch.setenv("EDIMESH_HEALTH_PORT", "0")
    monkeypatch.setenv("EDIMESH_HEALTH_HOST", "127.0.0.1")
    monkeypatch.setattr(service_module, "KAFKA_PROBE_INTERVAL_S", 0.5)
    prefix = f"h{uuid.uuid4().hex[:8]}."
    await ensure_topics(own_broker.bootstrap, mesh_topics(prefix, partitions=1).all())
    settings = ValidatorSettings.model_validate({
        "bootstrap": own_broker.bootstrap,
        "group_id": f"health-{prefix}",
        "topic_prefix": prefix,
        "staging_root": tmp_path,
        "worker_processes": 0,
        "session_timeout_ms": 6000,
        "heartbeat_interval_ms": 500,
        "shutdown_timeout_s": 10,
    })  # fmt: skip
    assert settings.health.port == 0
    async with running(ValidatorService(settings)) as service:
        yield service


async def livez(port: int) -> int:
    return (await get(port, "/livez"))[0]


async def test_readyz_follows_the_broker(
    validator: ValidatorService,
    own_broker: LocalBroker,  # noqa: F811 - the fixture imported above
) -> None:
    port = validator.health_port
    assert port is not None
    assert await until_status(port, 200, "with the broker up") == []

    await asyncio.to_thread(own_broker.stop)  # blocking: the service's loop keeps running
    unmet = await until_status(port, 503, "with the broker stopped")
    assert KAFKA_REACHABLE in unmet
    assert await livez(port) == 200

    await asyncio.to_thread(own_broker.start)
    assert await until_status(port, 200, "with the broker back") == []
