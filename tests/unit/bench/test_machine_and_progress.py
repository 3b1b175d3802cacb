"""The machine description and the progress arithmetic the service benchmarks wait on."""

from __future__ import annotations

import os

import pytest
from aiokafka import TopicPartition

from edimesh.bench import rss
from edimesh.bench.machine import cpu_model, describe
from edimesh.bench.services import behind, service_env

CPUINFO = "processor\t: 0\nvendor_id\t: X\nmodel name\t: Example CPU @ 2.00GHz\nflags\t: a b\n"


def test_cpu_model() -> None:
    assert cpu_model(CPUINFO) == "Example CPU @ 2.00GHz"
    assert cpu_model("processor : 0\n") == "unknown"


def test_describe_this_machine() -> None:
    machine = describe(kafka="9.9.9")
    assert machine.cores == os.cpu_count()
    assert machine.memory_bytes > 0
    assert machine.kafka == "9.9.9"
    assert machine.date.endswith("UTC")


def test_behind_counts_what_is_left_to_commit() -> None:
    a, b, c = (TopicPartition("t", p) for p in range(3))
    targets = {a: 10, b: 5, c: 0}
    assert behind({}, targets) == 15
    assert behind({a: 7, b: 5}, targets) == 3
    assert behind({a: 12, b: 5}, targets) == 0  # past the target counts as done
    assert behind({a: 10, b: 5, c: 0}, targets) == 0


def test_service_env_is_explicit_and_has_no_health_port() -> None:
    env = service_env({"EDIMESH_VALIDATOR_GROUP_ID": "g"})
    assert env["EDIMESH_VALIDATOR_GROUP_ID"] == "g"
    assert env["EDIMESH_HEALTH_PORT"] == "off"  # benchmark services share the host
    assert set(env) <= {"PATH", "HOME", "LANG", "VIRTUAL_ENV", "TMPDIR", "XDG_CACHE_HOME",
                        "EDIMESH_ENV", "EDIMESH_LOG_LEVEL", "EDIMESH_HEALTH_PORT",
                        "EDIMESH_VALIDATOR_GROUP_ID"}  # fmt: skip


def test_service_env_passes_the_kafka_security_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIMESH_KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("EDIMESH_KAFKA_SSL_CAFILE", "/etc/bench/ca.pem")
    monkeypatch.setenv("EDIMESH_SPLITTER_TOPIC_PREFIX", "other.")  # not the bench's
    env = service_env({})
    assert env["EDIMESH_KAFKA_SECURITY_PROTOCOL"] == "SSL"
    assert env["EDIMESH_KAFKA_SSL_CAFILE"] == "/etc/bench/ca.pem"
    assert "EDIMESH_SPLITTER_TOPIC_PREFIX" not in env


def test_peak_rss_and_cpu_of_this_process() -> None:
    block = bytearray(32 * 2**20)  # touch 32 MiB: the peak is at least that
    block[::4096] = b"x" * len(block[::4096])
    assert rss.vm_hwm() >= len(block)
    assert rss.vm_hwm(os.getpid()) >= len(block)
    assert rss.cpu_seconds(os.getpid()) > 0
