"""Finding and stopping a broker by its pid file, with stand-in processes (no Java)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from edimesh.localbroker import BrokerConfig, BrokerError, LocalBroker, broker_status
from edimesh.localbroker.config import write_config_files
from edimesh.localbroker.paths import DataLayout
from edimesh.localbroker.process import configured_bootstrap, find_broker, stop_broker

SLEEPER = "import time; time.sleep(120)"
STUBBORN = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
    " print('ready', flush=True); time.sleep(120)"
)


@pytest.fixture
def layout(tmp_path: Path) -> DataLayout:
    layout = DataLayout(tmp_path / "data")
    layout.make_dirs()
    return layout


def fake_broker(layout: DataLayout, code: str = SLEEPER) -> subprocess.Popen[str]:
    """A process whose command line looks like this data dir's broker."""
    process = subprocess.Popen(
        [sys.executable, "-c", code, "kafka.Kafka", str(layout.server_properties)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    layout.pid_file.write_text(f"{process.pid}\n")
    return process


@pytest.fixture
def cleanup() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def test_stop_without_a_broker_is_a_no_op(layout: DataLayout) -> None:
    assert stop_broker(layout) is False
    assert stop_broker(layout) is False


def test_a_recycled_pid_is_never_signalled(layout: DataLayout) -> None:
    layout.pid_file.write_text(f"{os.getpid()}\n")  # this test process: not a Kafka broker
    assert find_broker(layout) is None
    assert stop_broker(layout, timeout=1) is False
    assert not layout.pid_file.exists()


def test_garbage_in_the_pid_file(layout: DataLayout) -> None:
    layout.pid_file.write_text("not a pid\n")
    assert find_broker(layout) is None
    assert stop_broker(layout) is False


def test_stop_terminates_the_broker_and_forgets_it(
    layout: DataLayout, cleanup: list[subprocess.Popen[str]]
) -> None:
    process = fake_broker(layout)
    cleanup.append(process)
    found = find_broker(layout)
    assert found is not None
    assert found.pid == process.pid

    assert stop_broker(layout, timeout=10, child=process) is True

    assert process.returncode == -15
    assert not layout.pid_file.exists()
    assert stop_broker(layout) is False


def test_stop_kills_a_broker_that_ignores_sigterm(
    layout: DataLayout, cleanup: list[subprocess.Popen[str]]
) -> None:
    process = fake_broker(layout, STUBBORN)
    cleanup.append(process)
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"  # SIGTERM is ignored from here on

    assert stop_broker(layout, timeout=0.5, child=process) is True

    assert process.returncode == -9
    assert not layout.pid_file.exists()


def test_status_of_a_stopped_broker(tmp_path: Path) -> None:
    write_config_files(BrokerConfig(tmp_path, port=19092, controller_port=19093), console=False)
    status = broker_status(tmp_path)
    assert not status.running
    assert status.pid is None
    assert status.bootstrap == "127.0.0.1:19092"
    assert not status.ready


def test_status_of_a_running_broker_that_does_not_answer(
    layout: DataLayout, cleanup: list[subprocess.Popen[str]]
) -> None:
    process = fake_broker(layout)  # no server.properties: nothing to probe
    cleanup.append(process)
    status = broker_status(layout.root)
    assert status.running
    assert status.pid == process.pid
    assert not status.ready


def test_bootstrap_comes_from_the_rendered_config(tmp_path: Path) -> None:
    assert configured_bootstrap(DataLayout(tmp_path)) is None
    write_config_files(BrokerConfig(tmp_path, port=29092, controller_port=29093), console=False)
    assert configured_bootstrap(DataLayout(tmp_path)) == "127.0.0.1:29092"


def test_a_broker_never_started_here(tmp_path: Path) -> None:
    broker = LocalBroker(BrokerConfig(tmp_path))
    broker.check_alive()  # nothing started, nothing dead
    assert broker.pid is None
    assert broker.stop() is False
    with pytest.raises(BrokerError, match="call start"):
        broker.wait()
