"""The benchmark's Kafka clients get the EDIMESH_KAFKA_* TLS/SASL options, like the services."""

from __future__ import annotations

import ast
import ssl
from pathlib import Path
from typing import Any

import pytest

from edimesh.bench import clients

SASL_SSL = {
    "EDIMESH_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "EDIMESH_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "EDIMESH_KAFKA_SASL_USERNAME": "bench-user",
    "EDIMESH_KAFKA_SASL_PASSWORD": "bench-secret",
}
CONSTRUCTORS = {"AIOKafkaProducer", "AIOKafkaConsumer", "AIOKafkaAdminClient"}


class Recorder:
    """Stands in for an aiokafka client class: keeps the constructor's keyword arguments."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> object:
        self.calls.append(kwargs)
        return object()


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> dict[str, Recorder]:
    out = {name: Recorder() for name in CONSTRUCTORS}
    for name, recorder in out.items():
        monkeypatch.setattr(clients, name, recorder)
    return out


def _build_all() -> None:
    clients.producer("broker:9093", acks="all")
    clients.consumer("broker:9093", isolation_level="read_committed")
    clients.admin("broker:9093")


def test_sasl_ssl_settings_reach_every_client_constructor(
    monkeypatch: pytest.MonkeyPatch, recorded: dict[str, Recorder]
) -> None:
    for name, value in SASL_SSL.items():
        monkeypatch.setenv(name, value)
    _build_all()
    calls = [call for recorder in recorded.values() for call in recorder.calls]
    assert len(calls) == len(CONSTRUCTORS)
    for call in calls:
        assert call["bootstrap_servers"] == "broker:9093"
        assert call["security_protocol"] == "SASL_SSL"
        assert call["sasl_mechanism"] == "SCRAM-SHA-512"
        assert call["sasl_plain_username"] == "bench-user"
        assert call["sasl_plain_password"] == "bench-secret"
        assert isinstance(call["ssl_context"], ssl.SSLContext)
    assert recorded["AIOKafkaProducer"].calls[0]["acks"] == "all"  # the caller's own options
    assert recorded["AIOKafkaConsumer"].calls[0]["isolation_level"] == "read_committed"


def test_plaintext_adds_nothing(
    monkeypatch: pytest.MonkeyPatch, recorded: dict[str, Recorder]
) -> None:
    for name in SASL_SSL:
        monkeypatch.delenv(name, raising=False)
    _build_all()
    for recorder in recorded.values():
        [call] = recorder.calls
        assert not {k for k in call if k.startswith(("security", "ssl", "sasl"))}


def test_no_bench_module_builds_its_own_kafka_client() -> None:
    bench = Path(clients.__file__).parent
    direct = []
    for path in sorted(bench.glob("*.py")):
        if path.name == "clients.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in CONSTRUCTORS:
                    direct.append(f"{path.name}:{node.lineno}")
    assert not direct, "use edimesh.bench.clients so EDIMESH_KAFKA_* apply"
