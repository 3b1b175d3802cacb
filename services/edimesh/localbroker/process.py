"""The broker's JVM as an OS process: launch it detached, find it again, stop it.

A pid file alone is not trusted: before signalling, the process's command line must name
`kafka.Kafka` and this data dir's server.properties, so a recycled pid is never killed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from edimesh.localbroker.config import BrokerConfig, broker_jvm_options
from edimesh.localbroker.paths import DataLayout
from edimesh.localbroker.storage import classpath

logger = logging.getLogger(__name__)

MAIN_CLASS = "kafka.Kafka"
KILL_WAIT_S = 10.0


@dataclass(frozen=True)
class BrokerStatus:
    """What `status` reports about one data dir's broker."""

    data_dir: Path
    pid: int | None
    bootstrap: str | None
    ready: bool

    @property
    def running(self) -> bool:
        return self.pid is not None


def read_pid(layout: DataLayout) -> int | None:
    try:
        text = layout.pid_file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def configured_bootstrap(layout: DataLayout) -> str | None:
    """host:port from the rendered server.properties (the single record of the ports)."""
    try:
        lines = layout.server_properties.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip() == "advertised.listeners":
            return value.strip().split(",")[0].split("://", 1)[-1]
    return None


def _is_broker_of(proc: psutil.Process, layout: DataLayout) -> bool:
    try:
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        argv = proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    return MAIN_CLASS in argv and str(layout.server_properties) in argv


def find_broker(layout: DataLayout) -> psutil.Process | None:
    """The live JVM serving this data dir, per its pid file, or None."""
    pid = read_pid(layout)
    if pid is None:
        return None
    try:
        proc = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return None
    return proc if _is_broker_of(proc, layout) else None


def _rotate(path: Path) -> None:
    """Keep one previous run's log; the readiness check reads the fresh file from the top."""
    if path.exists():
        path.replace(path.with_name(path.name + ".1"))


def launch(
    config: BrokerConfig, java: Path, libs: Path, *, foreground: bool
) -> subprocess.Popen[bytes]:
    """Start the JVM in its own session (a Ctrl-C or a dying parent does not reach it)."""
    layout = config.layout
    _rotate(layout.server_log)
    _rotate(layout.console_log)
    argv = [
        str(java), *broker_jvm_options(config), "-cp", classpath(libs),
        MAIN_CLASS, str(layout.server_properties),
    ]  # fmt: skip
    with contextlib.ExitStack() as stack:
        # Detached: the JVM's own output (crashes before logging starts) goes to broker.out.
        out = None if foreground else stack.enter_context(layout.console_log.open("wb"))
        err = None if foreground else subprocess.STDOUT
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            cwd=layout.root, start_new_session=True, close_fds=True,
        )  # fmt: skip
    layout.pid_file.write_text(f"{process.pid}\n", encoding="ascii")
    logger.info("launched Kafka broker pid %d for %s", process.pid, layout.root)
    return process


def _signal(proc: psutil.Process, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, psutil.NoSuchProcess):
        # Its own process group (start_new_session): reach any helper it may have forked too.
        if os.getpgid(proc.pid) == proc.pid:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)


def _wait(proc: psutil.Process, child: subprocess.Popen[Any] | None, timeout: float) -> bool:
    """Wait for exit; reap through Popen when it is our child so no zombie stays behind."""
    try:
        if child is not None and child.pid == proc.pid:
            child.wait(timeout)
        else:
            proc.wait(timeout)
    except (subprocess.TimeoutExpired, psutil.TimeoutExpired):
        return False
    return True


def stop_broker(
    layout: DataLayout, timeout: float = 30.0, child: subprocess.Popen[Any] | None = None
) -> bool:
    """SIGTERM (controlled shutdown), SIGKILL after `timeout`. Idempotent: False if nothing
    of ours was running. Removes the pid file either way."""
    proc = find_broker(layout)
    stopped = False
    if proc is not None:
        logger.info("stopping Kafka broker pid %d", proc.pid)
        _signal(proc, signal.SIGTERM)
        if not _wait(proc, child, timeout):
            logger.warning("broker pid %d ignored SIGTERM for %.0fs: SIGKILL", proc.pid, timeout)
            _signal(proc, signal.SIGKILL)
            _wait(proc, child, KILL_WAIT_S)
        stopped = True
    if child is not None:
        child.poll()  # reap a child that had already died on its own
    layout.pid_file.unlink(missing_ok=True)
    return stopped
