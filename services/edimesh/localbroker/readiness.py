"""Deciding that a starting broker is really ready: its log says so AND it answers Kafka."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaError

from edimesh.localbroker.config import BrokerConfig
from edimesh.localbroker.defaults import STARTED_LINE
from edimesh.localbroker.errors import BrokerExitedError, BrokerTimeoutError
from edimesh.localbroker.logtail import combined_tail, failure_summary, tail_lines

POLL_S = 0.2


class LogWatcher:
    """Looks for a line in a growing log, reading only what was appended since last time."""

    def __init__(self, path: Path, needle: str) -> None:
        self._path = path
        self._needle = needle.encode()
        self._offset = 0
        self._carry = b""  # the unfinished last line of the previous read
        self.seen = False

    def poll(self) -> bool:
        if self.seen:
            return True
        try:
            with self._path.open("rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
        except FileNotFoundError:
            return False
        self._offset += len(chunk)
        data = self._carry + chunk
        self.seen = self._needle in data
        self._carry = data[-len(self._needle) :]
        return self.seen


async def _metadata_round_trip(bootstrap: str, seconds: float) -> bool:
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=int(seconds * 1000))
    try:
        async with asyncio.timeout(seconds):
            await client.bootstrap()
        return bool(client.cluster.brokers())
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await client.close()


def probe_metadata(bootstrap: str, timeout: float = 5.0) -> bool:
    """One Kafka Metadata request/response. Runs its own event loop in a private thread, so
    it is safe to call from sync code whether or not the caller's thread has a loop."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="edimesh-kafka-probe") as pool:
        future = pool.submit(asyncio.run, _metadata_round_trip(bootstrap, timeout))
        try:
            return future.result(timeout=timeout + 10)
        except FutureTimeout:
            return False


def describe_exit(code: int) -> str:
    """`exited with code 1` / `was killed by SIGKILL` (Popen reports signals as -N)."""
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def log_paths(config: BrokerConfig) -> list[Path]:
    layout = config.layout
    return [layout.console_log, layout.server_log]


def describe_failure(config: BrokerConfig) -> tuple[str, str]:
    """(one telling line, the full tails) from the broker's logs."""
    lines = tail_lines(config.layout.console_log, 400) + tail_lines(config.layout.server_log, 2000)
    return failure_summary(lines) or "the log is empty", combined_tail(log_paths(config))


def wait_until_ready(process: subprocess.Popen[bytes], config: BrokerConfig) -> None:
    """Block until the broker serves metadata, it exits, or `config.start_timeout` passes.

    The server log is rotated at every start, so it is read from the top.
    """
    deadline = time.monotonic() + config.start_timeout
    watcher = LogWatcher(config.layout.server_log, STARTED_LINE)
    while True:
        code = process.poll()
        if code is not None:
            summary, tail = describe_failure(config)
            raise BrokerExitedError(
                f"Kafka broker {describe_exit(code)} while starting: {summary}"
                f" (full log: {config.layout.server_log})",
                tail,
            )
        remaining = deadline - time.monotonic()
        if watcher.poll() and probe_metadata(config.bootstrap, max(1.0, min(5.0, remaining))):
            return
        if remaining <= 0:
            summary, tail = describe_failure(config)
            raise BrokerTimeoutError(
                f"Kafka broker not ready after {config.start_timeout:.0f}s (last log line:"
                f" {summary}): see {config.layout.server_log}, or raise the start timeout",
                tail,
            )
        time.sleep(POLL_S)
