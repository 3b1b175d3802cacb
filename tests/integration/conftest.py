"""Integration fixtures: one real Kafka broker per test session, unique topics per test.

`kafka_bootstrap` is the broker's "host:port". With EDIMESH_BOOTSTRAP set, tests use that
external cluster and nothing is started. Otherwise the project's own broker
(`edimesh.localbroker`) runs from a pytest tmp dir on free ports and stops at session end.
Tests that use `kafka_bootstrap` get the `kafka` marker automatically.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, NoReturn

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import for_code

from edimesh.localbroker import (
    BrokerConfig,
    BrokerError,
    BrokerStartError,
    LocalBroker,
    fetch_jars,
    free_ports,
)
from tests.integration.kafka_helpers import TopicFactory, wait_for_leaders

ENV_BOOTSTRAP = "EDIMESH_BOOTSTRAP"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "kafka_bootstrap" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.kafka)


def _fail_with_log(exc: BrokerError) -> NoReturn:
    tail = exc.log_tail if isinstance(exc, BrokerStartError) else ""
    pytest.fail(f"{exc}\n{tail}".rstrip(), pytrace=False)


@pytest.fixture(scope="session")
def local_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker | None]:
    """The session's own broker, or None when EDIMESH_BOOTSTRAP names an external one."""
    if os.environ.get(ENV_BOOTSTRAP):
        yield None
        return
    port, controller_port = free_ports(2)
    config = BrokerConfig(
        data_dir=tmp_path_factory.mktemp("kafka"),
        port=port,
        controller_port=controller_port,
        heap_max="768m",
    )
    broker = LocalBroker(config)
    try:
        fetch_jars(config.kafka_version)
        broker.start()
    except BrokerError as exc:
        _fail_with_log(exc)
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(local_broker: LocalBroker | None) -> str:
    """bootstrap.servers for every Kafka client in the integration tests."""
    return os.environ.get(ENV_BOOTSTRAP) or _started(local_broker).bootstrap


def _started(broker: LocalBroker | None) -> LocalBroker:
    assert broker is not None, "local_broker is None only with EDIMESH_BOOTSTRAP set"
    return broker


@pytest.fixture(autouse=True)
def _kafka_broker_alive(request: pytest.FixtureRequest) -> Iterator[None]:
    """A broker that died is reported as such (with its log), not as a mysterious timeout."""
    if request.node.get_closest_marker("kafka") is None or os.environ.get(ENV_BOOTSTRAP):
        yield
        return
    broker = _started(request.getfixturevalue("local_broker"))
    try:
        broker.check_alive()
    except BrokerError as exc:
        _fail_with_log(exc)
    yield
    try:
        broker.check_alive()
    except BrokerError as exc:
        _fail_with_log(exc)


@pytest.fixture(scope="session")
async def kafka_admin(kafka_bootstrap: str) -> AsyncIterator[Any]:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


def _raise_topic_errors(response: Any) -> None:
    for topic, code, message in response.topic_errors:
        if code:
            raise for_code(code)(f"creating topic {topic}: {message}")


@pytest.fixture
async def make_topic(
    kafka_admin: Any, request: pytest.FixtureRequest
) -> AsyncIterator[TopicFactory]:
    """Create topics named after the test plus a uuid; deleted again after the test."""
    created: list[str] = []
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", request.node.name)[:60]

    async def make(*, partitions: int = 1, config: Mapping[str, str] | None = None) -> str:
        name = f"{stem}-{uuid.uuid4().hex[:12]}"
        topic = NewTopic(
            name, num_partitions=partitions, replication_factor=1, topic_configs=dict(config or {})
        )
        _raise_topic_errors(await kafka_admin.create_topics([topic]))
        created.append(name)
        await wait_for_leaders(kafka_admin, name, partitions)
        return name

    yield make
    if created:  # keep a long session's broker (or a shared external cluster) lean
        await kafka_admin.delete_topics(created)


@pytest.fixture
async def unique_topic(make_topic: TopicFactory) -> str:
    """One fresh single-partition topic."""
    return await make_topic()
