"""ensure_topics against a real broker: idempotent, configs applied, zstd topics readable."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from typer.testing import CliRunner

from edimesh.commands import topics as topics_cli
from edimesh.errors import ConfigError, TransientError
from edimesh.localbroker import free_ports
from edimesh.mesh.admin import ensure_topics, topic_configs
from edimesh.mesh.codec import decode, encode
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import MAX_MESSAGE_BYTES, MeshTopics, mesh_topics
from tests.unit.mesh_samples import SAMPLES


@pytest.fixture
async def prefix(kafka_admin: Any) -> AsyncIterator[str]:
    """A unique topic-name prefix; the test's topics are deleted afterwards."""
    value = f"t{uuid.uuid4().hex[:10]}."
    yield value
    ours = [name for name in await kafka_admin.list_topics() if name.startswith(value)]
    if ours:
        await kafka_admin.delete_topics(ours)


@pytest.mark.kafka
async def test_ensure_topics_is_idempotent(kafka_bootstrap: str, prefix: str) -> None:
    topics = mesh_topics(prefix, partitions=1)
    names = tuple(sorted(spec.name for spec in topics.all()))

    first = await ensure_topics(kafka_bootstrap, topics.all())
    assert first.created == names
    assert first.existing == ()
    assert first.drift == ()

    second = await ensure_topics(kafka_bootstrap, topics.all())
    assert second.created == ()
    assert second.existing == names
    assert second.drift == ()


@pytest.mark.kafka
async def test_declared_configs_are_applied(kafka_bootstrap: str, prefix: str) -> None:
    topics = mesh_topics(prefix, partitions=1)
    await ensure_topics(kafka_bootstrap, topics.all())
    actual = await topic_configs(kafka_bootstrap, [spec.name for spec in topics.all()])
    for spec in topics.all():
        for key, value in spec.configs.items():
            assert actual[spec.name][key] == value, (spec.name, key)
    assert actual[topics.transactions.name]["cleanup.policy"] == "delete"
    assert actual[topics.staged_ledger.name]["cleanup.policy"] == "compact,delete"
    assert actual[topics.transactions.name]["compression.type"] == "zstd"


@pytest.mark.kafka
async def test_drift_is_reported_not_applied(kafka_bootstrap: str, prefix: str) -> None:
    await ensure_topics(kafka_bootstrap, [mesh_topics(prefix, partitions=1).dlq])
    report = await ensure_topics(kafka_bootstrap, [mesh_topics(prefix, partitions=2).dlq])
    assert report.created == ()
    assert [(d.key, d.expected, d.actual) for d in report.drift] == [("partitions", "2", "1")]


@pytest.mark.kafka
async def test_a_refused_topic_creates_nothing(
    kafka_bootstrap: str, prefix: str, kafka_admin: Any
) -> None:
    """Validation runs for all missing topics before any is created."""
    specs = mesh_topics(prefix, partitions=1, replication_factor=3).all()  # one broker only
    with pytest.raises(ConfigError, match="InvalidReplicationFactor"):
        await ensure_topics(kafka_bootstrap, specs)
    assert not [n for n in await kafka_admin.list_topics() if n.startswith(prefix)]


async def _round_trip(
    bootstrap: str, topics: MeshTopics, record: dict[str, Any], compression: str | None
) -> dict[str, Any]:
    topic = topics.transactions.name
    value, headers = encode(MessageType.TRANSACTION_SET, record)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        compression_type=compression,
        max_request_size=MAX_MESSAGE_BYTES,
    )
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, value, key=record["idempotency_key"].encode(), headers=headers
        )
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"{topic}-reader",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
        max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert message.key == record["idempotency_key"].encode()
    return decode(message.value, message.headers, expected=MessageType.TRANSACTION_SET)


@pytest.mark.kafka
@pytest.mark.parametrize(
    "compression", [None, "zstd"], ids=["broker-recompresses", "producer-zstd"]
)
async def test_a_large_set_round_trips_through_a_zstd_topic(
    kafka_bootstrap: str, prefix: str, compression: str | None
) -> None:
    """The broker stores zstd batches (recompressing when the producer sent none); aiokafka
    can only read them with cramjam installed. 3 MiB is above every 1 MiB client default."""
    topics = mesh_topics(prefix, partitions=1)
    await ensure_topics(kafka_bootstrap, [topics.transactions])
    segment = b"SV1*HC:99213*100*UN*1***1~"
    record = {
        **SAMPLES[MessageType.TRANSACTION_SET],
        "body": segment * (3 * 1024 * 1024 // len(segment)),
    }
    assert await _round_trip(kafka_bootstrap, topics, record, compression) == record


async def test_unreachable_broker_is_a_transient_error() -> None:
    (port,) = free_ports(1)
    with pytest.raises(TransientError, match="unreachable"):
        await ensure_topics(f"127.0.0.1:{port}", mesh_topics().all(), timeout_s=10)


def test_cli_create_against_a_closed_port_is_one_line() -> None:
    (port,) = free_ports(1)
    env = {k: v for k, v in os.environ.items() if k != "EDIMESH_BOOTSTRAP"}
    result = CliRunner(env=env).invoke(
        topics_cli.app, ["create", "--bootstrap", f"127.0.0.1:{port}", "--timeout", "10"]
    )
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(f"error: Kafka at 127.0.0.1:{port} is unreachable")


@pytest.mark.kafka
async def test_cli_create_then_list(kafka_bootstrap: str, prefix: str) -> None:
    runner = CliRunner()
    args = ["--bootstrap", kafka_bootstrap, "--prefix", prefix]
    created = await asyncio.to_thread(
        runner.invoke, topics_cli.app, ["create", *args, "--partitions", "1"]
    )
    assert created.exit_code == 0, created.output
    assert created.output.count("created  ") == 12
    listed = await asyncio.to_thread(runner.invoke, topics_cli.app, ["list", *args])
    assert listed.exit_code == 0, listed.output
    assert "missing" not in listed.output
    assert f"{prefix}edi.transactions" in listed.output
