"""`LocalBroker`: fetch, format, start, wait-ready, stop -- the one API the CLI and tests use."""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from edimesh.localbroker.config import BrokerConfig, write_config_files
from edimesh.localbroker.errors import BrokerError, BrokerExitedError
from edimesh.localbroker.jars import fetch_jars
from edimesh.localbroker.paths import DataLayout
from edimesh.localbroker.ports import ensure_ports_free
from edimesh.localbroker.process import (
    BrokerStatus,
    configured_bootstrap,
    find_broker,
    launch,
    stop_broker,
)
from edimesh.localbroker.readiness import (
    describe_exit,
    describe_failure,
    probe_metadata,
    wait_until_ready,
)
from edimesh.localbroker.storage import ensure_formatted
from edimesh.localbroker.tools import require_java

logger = logging.getLogger(__name__)


class LocalBroker:
    """One single-node KRaft broker on 127.0.0.1, its state kept in `config.data_dir`.

    `start()` returns once the broker answers a Kafka metadata request; `stop()` is idempotent.
    Used as a context manager it stops the broker on exit.
    """

    def __init__(
        self,
        config: BrokerConfig,
        *,
        libs: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self._libs = libs
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None
        self.ready_seconds: float | None = None  # launch -> ready, for the last start()

    @property
    def bootstrap(self) -> str:
        return self.config.bootstrap

    @property
    def pid(self) -> int | None:
        proc = find_broker(self.config.layout)
        return None if proc is None else proc.pid

    def start(self, *, foreground: bool = False) -> None:
        """Fetch jars if needed, format storage once, launch the JVM and wait until ready.

        Already running from this data dir on the same port: nothing to do. With
        `foreground`, WARN+ logs also go to this process's stderr.
        """
        layout = self.config.layout
        if (running := find_broker(layout)) is not None:
            self._adopt(running.pid)
            return
        ensure_ports_free(self.config.port, self.config.controller_port)
        java = require_java(self.config.kafka_version, self._env)
        libs = self._libs or fetch_jars(self.config.kafka_version, env=self._env)
        try:
            write_config_files(self.config, console=foreground)
        except OSError as exc:
            raise BrokerError(
                f"cannot write the broker's files in {layout.root} ({exc}): use another data dir"
            ) from exc
        ensure_formatted(self.config, java, libs)
        launched = time.monotonic()
        self._process = launch(self.config, java, libs, foreground=foreground)
        try:
            wait_until_ready(self._process, self.config)
        except BaseException:
            # Never leave a half-started JVM behind (also on Ctrl-C).
            stop_broker(layout, timeout=10.0, child=self._process)
            raise
        self.ready_seconds = time.monotonic() - launched
        logger.info(
            "Kafka %s ready at %s in %.1fs (pid %d)",
            self.config.kafka_version, self.bootstrap, self.ready_seconds, self._process.pid,
        )  # fmt: skip

    def _adopt(self, pid: int) -> None:
        current = configured_bootstrap(self.config.layout)
        if current != self.bootstrap:
            raise BrokerError(
                f"a broker from {self.config.data_dir} already runs at {current} (pid {pid}):"
                " stop it first (`edimesh broker stop`) or use another data dir"
            )
        logger.info("Kafka broker already running at %s (pid %d)", current, pid)

    def stop(self) -> bool:
        """Stop the broker of this data dir. False if none was running."""
        stopped = stop_broker(self.config.layout, self.config.stop_timeout, self._process)
        self._process = None
        return stopped

    def status(self) -> BrokerStatus:
        return broker_status(self.config.data_dir)

    def check_alive(self) -> None:
        """Raise BrokerExitedError (with the log tail) if the broker we started has died."""
        if self._process is None or (code := self._process.poll()) is None:
            return
        summary, tail = describe_failure(self.config)
        raise BrokerExitedError(
            f"Kafka broker (pid {self._process.pid}) {describe_exit(code)}: {summary}"
            f" (full log: {self.config.layout.server_log})",
            tail,
        )

    def log_tail(self) -> str:
        return describe_failure(self.config)[1]

    def wait(self) -> int:
        """Block until the broker started by `start()` exits; its exit code."""
        if self._process is None:
            raise BrokerError("no broker was started by this process: call start() first")
        return self._process.wait()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def broker_status(data_dir: Path, probe_timeout: float = 3.0) -> BrokerStatus:
    """Running? Which bootstrap? Does it answer a metadata request right now?"""
    layout = DataLayout(data_dir)
    proc = find_broker(layout)
    bootstrap = configured_bootstrap(layout)
    ready = proc is not None and bootstrap is not None and probe_metadata(bootstrap, probe_timeout)
    return BrokerStatus(
        data_dir=layout.root,
        pid=None if proc is None else proc.pid,
        bootstrap=bootstrap,
        ready=ready,
    )
