"""One-line, actionable errors of the local broker: ports, Java, log summaries."""

from __future__ import annotations

import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from edimesh.errors import ConfigError, Route, route_for
from edimesh.localbroker import JavaMissingError, PortInUseError, free_ports, port_is_free
from edimesh.localbroker.logtail import failure_summary, tail_lines
from edimesh.localbroker.ports import ensure_ports_free
from edimesh.localbroker.readiness import LogWatcher, describe_exit
from edimesh.localbroker.tools import find_java, parse_java_major, require_java


@pytest.fixture
def listening() -> Iterator[int]:
    """A port some other server is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_a_taken_port_is_detected(listening: int) -> None:
    assert not port_is_free(listening)
    with pytest.raises(PortInUseError) as caught:
        ensure_ports_free(listening, free_ports(1)[0])
    message = str(caught.value)
    assert message == (
        f"127.0.0.1:{listening} is already in use by another process: stop it, or start the"
        " broker with another --port"
    )


def test_a_taken_controller_port_names_its_option(listening: int) -> None:
    with pytest.raises(PortInUseError, match=r"another --controller-port$"):
        ensure_ports_free(free_ports(1)[0], listening)


def test_a_listener_on_all_interfaces_also_takes_the_port() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("0.0.0.0", 0))  # all interfaces: the point of the test
        sock.listen()
        assert not port_is_free(int(sock.getsockname()[1]))


def test_free_ports_are_free_and_distinct() -> None:
    ports = free_ports(3)
    assert len(set(ports)) == 3
    assert all(port_is_free(port) for port in ports)


def test_broker_errors_fail_fast() -> None:
    assert route_for(PortInUseError("x")) is Route.FAIL_FAST
    assert issubclass(JavaMissingError, ConfigError)


def test_java_missing(tmp_path: Path) -> None:
    with pytest.raises(JavaMissingError) as caught:
        find_java({"PATH": str(tmp_path)})
    assert str(caught.value) == (
        "java not found: install a JDK 17+ (Debian: `apt-get install openjdk-17-jre-headless`)"
        " or set JAVA_HOME"
    )


def test_java_home_wins_over_path(tmp_path: Path) -> None:
    java = _fake_java(tmp_path / "jdk" / "bin", '17.0.15" 2025-04-15')
    assert find_java({"JAVA_HOME": str(tmp_path / "jdk"), "PATH": ""}) == java


def _fake_java(bin_dir: Path, version: str) -> Path:
    bin_dir.mkdir(parents=True)
    java = bin_dir / "java"
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}' >&2\n")
    java.chmod(java.stat().st_mode | stat.S_IEXEC)
    return java


def test_java_too_old_for_kafka4(tmp_path: Path) -> None:
    _fake_java(tmp_path / "bin", '11.0.2" 2019-01-15')
    env = {"PATH": str(tmp_path / "bin")}
    with pytest.raises(JavaMissingError, match=r"Kafka 4\.1\.2 needs Java 17\+, but .* is Java 11"):
        require_java("4.1.2", env)
    assert require_java("3.9.1", env) == tmp_path / "bin" / "java"


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('java version "1.8.0_292"', 8),
        ('openjdk version "21" 2023-09-19', 21),
        ("something else", None),
    ],
)
def test_java_version_parsing(output: str, major: int | None) -> None:
    assert parse_java_major(output) == major


# Real lines from a broker whose client port was taken (stack frames trimmed).
BIND_FAILURE = [
    "[2026-11-24 08:10:19,380] INFO Awaiting socket connections (kafka.network.DataPlaneAcceptor)",
    "[2026-11-24 08:10:19,403] ERROR Unable to start acceptor for PLAINTEXT"
    " (kafka.network.DataPlaneAcceptor)",
    "org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:52701:"
    " Address already in use.",
    "\tat kafka.network.Acceptor.openServerSocket(SocketServer.scala:747)",
    "Caused by: java.net.BindException: Address already in use",
    "[2026-11-24 08:10:19,525] ERROR Exiting Kafka due to fatal exception during startup."
    " (kafka.Kafka$)",
    "java.lang.RuntimeException: Unable to start acceptor for PLAINTEXT",
    "[2026-11-24 08:10:19,577] INFO App info kafka.server for 1 unregistered"
    " (org.apache.kafka.common.utils.AppInfoParser)",
]


def test_failure_summary_names_the_root_cause() -> None:
    assert failure_summary(BIND_FAILURE) == (
        "Unable to start acceptor for PLAINTEXT: org.apache.kafka.common.KafkaException: Socket"
        " server failed to bind to 127.0.0.1:52701: Address already in use."
    )


def test_failure_summary_of_a_jvm_that_never_started_logging() -> None:
    lines = [
        "Error: Could not find or load main class kafka.Kafka",
        "Caused by: java.lang.ClassNotFoundException: kafka.Kafka",
        "",
    ]
    assert failure_summary(lines) == "Caused by: java.lang.ClassNotFoundException: kafka.Kafka"
    assert failure_summary(["Error: Could not find or load main class kafka.Kafka"]) == (
        "Error: Could not find or load main class kafka.Kafka"
    )
    assert failure_summary([]) == ""


def test_exit_descriptions() -> None:
    assert describe_exit(1) == "exited with code 1"
    assert describe_exit(-9) == "was killed by SIGKILL"


def test_tail_lines(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    assert tail_lines(log) == []
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert tail_lines(log, 3) == ["line 97", "line 98", "line 99"]


def test_log_watcher_sees_a_line_written_in_pieces(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    watcher = LogWatcher(log, "Kafka Server started")
    assert not watcher.poll()
    log.write_text("[t] INFO [KafkaRaftServer nodeId=1] Kafka Ser")
    assert not watcher.poll()
    with log.open("a") as handle:
        handle.write("ver started (kafka.server.KafkaRaftServer)\n")
    assert watcher.poll()
