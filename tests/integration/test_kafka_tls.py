"""Kafka over TLS and SASL_SSL, configured only through EDIMESH_KAFKA_*: a local broker with
SSL and SASL_SSL (PLAIN) listeners on a throwaway CA, and the edimesh code paths that connect
(admin client, topic tail) plus plain aiokafka clients given `client_options()`."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition

from edimesh.errors import ConfigError, TransientError
from edimesh.local.tail import TailedMessage, tail_topic
from edimesh.localbroker import BrokerConfig, BrokerError, BrokerTls, LocalBroker, free_ports
from edimesh.mesh.admin import ensure_topics, topic_partitions
from edimesh.mesh.group_member import group_consumer
from edimesh.mesh.kafka_security import client_options
from edimesh.mesh.service_settings import GroupServiceSettings
from edimesh.mesh.topics import mesh_topics
from edimesh.telemetry.health import HealthSettings
from edimesh.validator.service import ValidatorService
from edimesh.validator.settings import ValidatorSettings
from tests.integration.kafka_helpers import WAIT_S, started
from tests.integration.tls_certs import Pki, make_pki

pytestmark = pytest.mark.kafka

USER = "edimesh-svc"
PASSWORD = "tls-test-Pa55word"


@dataclass(frozen=True)
class TlsBroker:
    ssl: str  # bootstrap of the SSL listener
    sasl_ssl: str  # bootstrap of the SASL_SSL listener
    pki: Pki


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    if os.environ.get("EDIMESH_BOOTSTRAP"):
        pytest.skip("needs the project's local broker (EDIMESH_BOOTSTRAP names another one)")
    folder = tmp_path_factory.mktemp("kafka-tls")
    pki = make_pki(folder / "pki")
    port, controller_port, ssl_port, sasl_port = free_ports(4)
    tls = BrokerTls(ssl_port, pki.keystore, sasl_port=sasl_port, plain_users={USER: PASSWORD})
    config = BrokerConfig(
        data_dir=folder / "data",
        port=port,
        controller_port=controller_port,
        heap_max="512m",
        tls=tls,
    )
    broker = LocalBroker(config)
    try:
        broker.start()
    except BrokerError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield TlsBroker(f"127.0.0.1:{ssl_port}", f"127.0.0.1:{sasl_port}", pki)
    finally:
        broker.stop()


@pytest.fixture(autouse=True)
def _no_kafka_security_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("EDIMESH_KAFKA_"):
            monkeypatch.delenv(name)


def _use_ssl(monkeypatch: pytest.MonkeyPatch, ca: Path | None) -> None:
    monkeypatch.setenv("EDIMESH_KAFKA_SECURITY_PROTOCOL", "SSL")
    if ca is not None:
        monkeypatch.setenv("EDIMESH_KAFKA_SSL_CAFILE", str(ca))
    else:
        monkeypatch.delenv("EDIMESH_KAFKA_SSL_CAFILE", raising=False)


def _use_sasl_ssl(monkeypatch: pytest.MonkeyPatch, ca: Path, password_file: Path) -> None:
    monkeypatch.setenv("EDIMESH_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("EDIMESH_KAFKA_SSL_CAFILE", str(ca))
    monkeypatch.setenv("EDIMESH_KAFKA_SASL_MECHANISM", "PLAIN")
    monkeypatch.setenv("EDIMESH_KAFKA_SASL_USERNAME", USER)
    monkeypatch.setenv("EDIMESH_KAFKA_SASL_PASSWORD_FILE", str(password_file))


async def _round_trip(bootstrap: str) -> list[bytes]:
    """Create a mesh topic, produce three records, read them back with `edimesh topics tail`'s
    reader; every client takes its security settings from the environment."""
    spec = mesh_topics(f"tls-{uuid.uuid4().hex[:8]}.").dlq
    report = await ensure_topics(bootstrap, [spec])
    assert report.created == (spec.name,)
    assert (await topic_partitions(bootstrap))[spec.name] == spec.partitions
    sent = [f"record {i}".encode() for i in range(3)]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", **client_options())
    async with started(producer):
        for value in sent:
            await producer.send_and_wait(spec.name, value, partition=0)
    seen: list[TailedMessage] = []
    count = await tail_topic(
        bootstrap, spec.name, seen.append, from_beginning=True, max_messages=3, idle_s=None
    )
    assert count == 3
    return [m.value for m in seen if m.value is not None]


async def test_produce_and_consume_over_ssl(
    tls_broker: TlsBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_ssl(monkeypatch, tls_broker.pki.ca)
    assert client_options()["security_protocol"] == "SSL"
    assert await _round_trip(tls_broker.ssl) == [b"record 0", b"record 1", b"record 2"]


async def test_a_service_group_member_joins_over_ssl(
    tls_broker: TlsBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The services' consumer (group coordinator, offsets) works on the TLS listener."""
    _use_ssl(monkeypatch, tls_broker.pki.ca)
    spec = mesh_topics(f"tls-{uuid.uuid4().hex[:8]}.").dlq
    await ensure_topics(tls_broker.ssl, [spec])
    producer = AIOKafkaProducer(bootstrap_servers=tls_broker.ssl, **client_options())
    async with started(producer):
        await producer.send_and_wait(spec.name, b"for the group", partition=0)
    settings = GroupServiceSettings(bootstrap=tls_broker.ssl, group_id=f"tls-{uuid.uuid4().hex}")
    consumer = group_consumer(settings)
    async with started(consumer):
        consumer.subscribe([spec.name])
        record = await asyncio.wait_for(consumer.getone(), WAIT_S)
        assert record.value == b"for the group"
        tp = TopicPartition(spec.name, record.partition)
        await consumer.commit({tp: record.offset + 1})
        assert await consumer.committed(tp) == record.offset + 1


async def test_produce_and_consume_over_sasl_ssl_with_a_password_file(
    tls_broker: TlsBroker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "kafka-password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")  # as `echo` writes it
    _use_sasl_ssl(monkeypatch, tls_broker.pki.ca, secret)
    assert await _round_trip(tls_broker.sasl_ssl) == [b"record 0", b"record 1", b"record 2"]


async def test_a_client_without_the_ca_names_the_untrusted_certificate(
    tls_broker: TlsBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_ssl(monkeypatch, None)  # the system CAs do not know the throwaway CA
    with pytest.raises(TransientError) as caught:
        await topic_partitions(tls_broker.ssl, timeout_s=20)
    message = str(caught.value)
    assert "TLS certificate is not trusted" in message
    assert "EDIMESH_KAFKA_SSL_CAFILE" in message


async def test_a_group_service_without_the_ca_names_the_untrusted_certificate(
    tls_broker: TlsBroker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The validator's first connection is its group consumer: its start fails with the cause,
    as a TransientError (exit 1 from `edimesh run`), not only in aiokafka's log."""
    _use_ssl(monkeypatch, None)
    settings = ValidatorSettings(bootstrap=tls_broker.ssl, group_id=f"tls-{uuid.uuid4().hex}",
                                 staging_root=tmp_path, worker_processes=0,
                                 health=HealthSettings(port=None))  # fmt: skip
    with pytest.raises(TransientError) as caught:
        async with asyncio.timeout(WAIT_S), ValidatorService(settings):
            pass
    assert "TLS certificate is not trusted" in str(caught.value)


async def test_a_client_trusting_another_ca_is_refused(
    tls_broker: TlsBroker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = make_pki(tmp_path / "other", ca_name="some other CA")
    _use_ssl(monkeypatch, other.ca)
    with pytest.raises(TransientError, match="TLS certificate is not trusted"):
        await topic_partitions(tls_broker.ssl, timeout_s=20)


async def test_a_wrong_sasl_password_fails_and_is_not_logged(
    tls_broker: TlsBroker,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrong = "not-the-Pa55word"
    secret = tmp_path / "kafka-password"
    secret.write_text(wrong, encoding="utf-8")
    _use_sasl_ssl(monkeypatch, tls_broker.pki.ca, secret)
    # Other tests quiet aiokafka (as the CLI does): turn its loggers up again, to DEBUG.
    with (
        caplog.at_level(logging.DEBUG, logger="aiokafka"),
        caplog.at_level(logging.DEBUG, logger="aiokafka.conn"),
        pytest.raises(TransientError) as caught,
    ):
        await topic_partitions(tls_broker.sasl_ssl, timeout_s=20)
    assert "unreachable" in str(caught.value)
    assert "Authentication failed" in caplog.text  # aiokafka's own log line says why
    assert wrong not in caplog.text
    assert wrong not in str(caught.value)


async def test_a_plaintext_client_gets_nothing_from_the_tls_listener(
    tls_broker: TlsBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EDIMESH_KAFKA_SECURITY_PROTOCOL", raising=False)
    assert client_options() == {}
    with pytest.raises(TransientError, match="unreachable"):
        await topic_partitions(tls_broker.ssl, timeout_s=20)


async def test_a_bad_setting_fails_before_any_connection(
    tls_broker: TlsBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDIMESH_KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("EDIMESH_KAFKA_SSL_CAFILE", "/nonexistent/ca.pem")
    with pytest.raises(ConfigError, match="EDIMESH_KAFKA_SSL_CAFILE"):
        await topic_partitions(tls_broker.ssl, timeout_s=20)
