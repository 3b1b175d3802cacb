"""`edimesh broker ...` fails with one line on stderr and a non-zero exit, never a traceback.

Only paths that need neither Java, Maven nor the network.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from edimesh.commands.broker import app
from edimesh.localbroker import free_ports


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI configures process-wide loggers; keep that out of the rest of the session."""
    loggers = [logging.getLogger(name) for name in ("edimesh.localbroker", "aiokafka")]
    saved = [(lg, lg.level, lg.propagate, list(lg.handlers)) for lg in loggers]
    yield
    for logger, level, propagate, handlers in saved:
        logger.setLevel(level)
        logger.propagate = propagate
        logger.handlers[:] = handlers


def invoke(args: list[str], env: dict[str, str | None] | None = None) -> Result:
    return CliRunner(env=env).invoke(app, args)


def assert_one_line_error(result: Result, fragment: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_status_of_nothing(tmp_path: Path) -> None:
    result = invoke(["status", "--data-dir", str(tmp_path)])
    assert result.exit_code == 3
    assert result.stdout.strip() == f"not running (data dir {tmp_path})"


def test_stop_is_idempotent(tmp_path: Path) -> None:
    for _ in range(2):
        result = invoke(["stop", "--data-dir", str(tmp_path)])
        assert result.exit_code == 0
        assert result.stdout.strip() == "not running"


def test_start_on_a_taken_port(tmp_path: Path, listening: int) -> None:
    [controller] = free_ports(1)
    result = invoke(
        ["start", "--data-dir", str(tmp_path), "--port", str(listening),
         "--controller-port", str(controller)]
    )  # fmt: skip
    assert_one_line_error(result, f"127.0.0.1:{listening} is already in use")


def test_start_without_java(tmp_path: Path) -> None:
    port, controller = free_ports(2)
    result = invoke(
        ["start", "--data-dir", str(tmp_path), "--port", str(port),
         "--controller-port", str(controller)],
        env={"PATH": str(tmp_path / "empty"), "JAVA_HOME": None},
    )  # fmt: skip
    assert_one_line_error(result, "java not found: install a JDK 17+")


def test_start_with_clashing_ports(tmp_path: Path) -> None:
    result = invoke(["start", "--data-dir", str(tmp_path), "--port", "9", "--controller-port", "9"])
    assert_one_line_error(result, "give them different values")


def test_fetch_without_maven(tmp_path: Path) -> None:
    result = invoke(
        ["fetch"],
        env={"PATH": str(tmp_path / "empty"), "EDIMESH_KAFKA_HOME": str(tmp_path / "home")},
    )
    assert_one_line_error(result, "mvn (Apache Maven) not found")


def test_logs_before_any_start(tmp_path: Path) -> None:
    result = invoke(["logs", "--data-dir", str(tmp_path)])
    assert_one_line_error(result, "no log at")


def test_logs_prints_the_end_of_server_log(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "server.log").write_text("".join(f"[t] INFO {i}\n" for i in range(9)))
    result = invoke(["logs", "--data-dir", str(tmp_path), "-n", "2"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["[t] INFO 7", "[t] INFO 8"]
