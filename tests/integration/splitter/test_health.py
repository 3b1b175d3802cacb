"""The splitter's /readyz follows the broker: 200 with it, 503 while it is stopped, 200 again
once it is back. Runs on its own broker (own ports, own data dir): stopping the session's
broker would break every other test."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from edimesh.localbroker import BrokerConfig, LocalBroker, free_ports
from edimesh.mesh.admin import ensure_topics
from edimesh.mesh.topics import mesh_topics
from edimesh.splitter import service as service_module
from edimesh.splitter.service import KAFKA_REACHABLE, SplitterService
from edimesh.splitter.settings import SplitterSettings
from tests.integration.kafka_helpers import WAIT_S
from tests.integration.service_process import running

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    if os.environ.get("EDIMESH_BOOTSTRAP"):
        pytest.skip("stops and restarts a broker: needs the project's own, not an external one")
    port, controller_port = free_ports(2)
    config = BrokerConfig(
        data_dir=tmp_path / "kafka", port=port, controller_port=controller_port, heap_max="512m"
    )
    broker = LocalBroker(config)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
async def splitter(
    own_broker: LocalBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SplitterService]:
    monkeypatch.setenv("EDIMESH_HEALTH_PORT", "0")
    monkeypatch.setenv("EDIMESH_HEALTH_HOST", "127.0.0.1")
    monkeypatch.setattr(service_module, "KAFKA_PROBE_INTERVAL_S", 0.5)
    prefix = f"h{uuid.uuid4().hex[:8]}."
    await ensure_topics(own_broker.bootstrap, mesh_topics(prefix, partitions=1).all())
    staging = tmp_path / "staging"
    staging.mkdir()
    settings = SplitterSettings.model_validate({
        "bootstrap": own_broker.bootstrap,
        "group_id": f"health-{prefix}",
        "topic_prefix": prefix,
        "staging_root": staging,
        "session_timeout_ms": 6000,
        "heartbeat_interval_ms": 500,
        "shutdown_timeout_s": 10,
    })  # fmt: skip
    assert settings.health.port == 0
    async with running(SplitterService(settings)) as service:
        yield service


async def get(port: int, path: str) -> tuple[int, bytes]:
    """Status and body of GET `path` on the health endpoint."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: test\r\n\r\n")
    reply = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


async def readyz(port: int) -> tuple[int, list[str]]:
    status, body = await get(port, "/readyz")
    return status, json.loads(body)["unmet"]


async def until_status(port: int, expected: int, what: str) -> list[str]:
    last: tuple[int, list[str]] = (0, [])
    try:
        async with asyncio.timeout(WAIT_S):
            while True:
                last = await readyz(port)
                if last[0] == expected:
                    break
                await asyncio.sleep(0.2)
    except TimeoutError:
        pytest.fail(f"{what}: /readyz stayed {last} for {WAIT_S:.0f}s")
    return last[1]


async def test_readyz_follows_the_broker(
    splitter: SplitterService, own_broker: LocalBroker
) -> None:
    port = splitter.health_port
    assert port is not None
    await until_status(port, 200, "with the broker up")

    await asyncio.to_thread(own_broker.stop)  # blocking: the service's loop keeps running
    unmet = await until_status(port, 503, "with the broker stopped")
    assert KAFKA_REACHABLE in unmet

    await asyncio.to_thread(own_broker.start)
    await until_status(port, 200, "with the broker back")
