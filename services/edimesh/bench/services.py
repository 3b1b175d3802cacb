"""Running a mesh service as its own process for a benchmark, and watching its progress in Kafka.

    async with ServiceProcess("validator", env, workdir) as svc:
        await svc.ready()                       # its "partitions assigned" log line
        ...                                     # produce the input, start the clock
        await wait_committed(bootstrap, group, targets, svc)
        peak = svc.peak_rss()

A service is done with its input when its group's committed offsets reach the input's end.
For input written by a transactional producer the last offset of a partition is a commit
marker that no consumer ever commits past, so `data_ends` finds the offset after the last
record instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from edimesh.bench import clients, rss
from edimesh.errors import FatalError
from edimesh.local.processes import Child, spawn, stop_all
from edimesh.localbroker import BrokerConfig, LocalBroker, fetch_jars, free_ports
from edimesh.mesh.kafka_security import PREFIX as KAFKA_PREFIX

READY_LINE = b"partitions assigned"
POLL_S = 0.05
STOP_TIMEOUT_S = 60.0
EMPTY_FETCHES = 20  # a tail that yields nothing for this many fetches is read
SETTLE_S = 2.0  # new partitions answer NotLeader/NotEnoughReplicas for a moment: not measured
_KEPT_ENV = ("PATH", "HOME", "LANG", "VIRTUAL_ENV", "TMPDIR", "XDG_CACHE_HOME")


class BenchError(FatalError):
    """A benchmark stage could not run (a service exited, a wait ran out)."""


def service_env(settings: Mapping[str, str]) -> dict[str, str]:
    """A small, explicit environment: the caller's PATH and friends, its Kafka TLS/SASL
    settings (the broker's, like the bench's own clients), plus `settings`."""
    env = {k: v for k, v in os.environ.items() if k in _KEPT_ENV or k.startswith(KAFKA_PREFIX)}
    # No health endpoint: several benchmark services (and other meshes) share this host.
    env |= {"EDIMESH_ENV": "test", "EDIMESH_LOG_LEVEL": "INFO", "EDIMESH_HEALTH_PORT": "off"}
    return env | dict(settings)


class ServiceProcess:
    """`python -m edimesh.<module>` with its log in a file, started and stopped the way
    `edimesh local` does it (edimesh.local.processes): own process group, gone with us."""

    def __init__(self, module: str, env: Mapping[str, str], workdir: Path, tag: str) -> None:
        self.module = module
        self.name = f"{module}-{tag}"
        self.log_path = workdir / f"{self.name}.log"
        self._workdir = workdir
        self._env = dict(env)
        self._child: Child | None = None

    @property
    def pid(self) -> int:
        if self._child is None:
            raise BenchError(f"{self.module} is not running")
        return self._child.pid

    async def __aenter__(self) -> ServiceProcess:
        # Not in a worker thread: the child's parent-death signal follows the forking thread.
        argv = [sys.executable, "-m", f"edimesh.{self.module}"]
        self._child = spawn(self.name, argv, self._env, self._workdir)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        await self.stop()

    async def stop(self) -> None:
        """Graceful stop (SIGTERM, SIGKILL after STOP_TIMEOUT_S), worker processes too;
        idempotent."""
        child, self._child = self._child, None
        if child is not None:
            await asyncio.to_thread(stop_all, [child], STOP_TIMEOUT_S)

    def check_alive(self, doing: str) -> None:
        if self._child is None or self._child.poll() is not None:
            raise BenchError(f"{self.module} exited {doing}; see {self.log_path}")

    async def ready(self, line: bytes = READY_LINE, timeout_s: float = 120.0) -> None:
        """Until the service logs `line` (for a consumer: its partitions are assigned)."""
        async with asyncio.timeout(timeout_s):
            while line not in await asyncio.to_thread(self.log_path.read_bytes):
                self.check_alive("before it was ready")
                await asyncio.sleep(POLL_S)

    def cpu_seconds(self) -> float:
        """CPU time of the process and its live worker processes."""
        return sum(self.cpu_parts())

    def cpu_parts(self) -> tuple[float, float]:
        """(main process, worker processes) CPU seconds so far."""
        return rss.cpu_seconds(self.pid), rss.children_cpu(self.pid)

    def peak_rss(self) -> Peak:
        return Peak(rss.vm_hwm(self.pid), tuple(rss.children_hwm(self.pid)))


@dataclass(frozen=True)
class Peak:
    """Peak RSS of a service process and of each of its worker processes, in bytes."""

    main: int
    workers: tuple[int, ...] = ()


# ------------------------------------------------------------------ Kafka progress


def partitions(topic: str, count: int) -> list[TopicPartition]:
    return [TopicPartition(topic, p) for p in range(count)]


async def end_offsets(bootstrap: str, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
    """Last stable offsets: what a read_committed consumer can reach."""
    consumer = clients.consumer(bootstrap, isolation_level="read_committed")
    await consumer.start()
    try:
        return dict(await consumer.end_offsets(tps))
    finally:
        await consumer.stop()


async def data_ends(bootstrap: str, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
    """Per partition, the offset just after its last committed record (0 when it has none).

    Reads each partition's tail, going further back while the tail holds only markers or
    aborted records."""
    consumer = clients.consumer(
        bootstrap, isolation_level="read_committed", enable_auto_commit=False,
        max_partition_fetch_bytes=1 << 20,
    )  # fmt: skip
    await consumer.start()
    out: dict[TopicPartition, int] = {}
    try:
        ends = await consumer.end_offsets(tps)
        begins = await consumer.beginning_offsets(tps)
        consumer.assign(tps)
        for tp in tps:
            out[tp] = await _last_record_end(consumer, tp, begins[tp], ends[tp])
    finally:
        await consumer.stop()
    return out


async def _last_record_end(consumer: AIOKafkaConsumer, tp: TopicPartition, begin: int,
                           end: int) -> int:  # fmt: skip
    back = 16
    while True:
        start = max(begin, end - back)
        consumer.seek(tp, start)
        last, empty = -1, 0
        while await consumer.position(tp) < end and empty < EMPTY_FETCHES:
            batch = await consumer.getmany(tp, timeout_ms=500)
            records = batch.get(tp, [])
            empty = 0 if records else empty + 1
            for record in records:
                last = max(last, record.offset)
        if last >= 0:
            return last + 1
        if start == begin:
            return begin if begin == end else 0
        back *= 8


async def committed(admin: AIOKafkaAdminClient, group: str) -> dict[TopicPartition, int]:
    offsets = await admin.list_consumer_group_offsets(group)
    return {tp: int(meta.offset) for tp, meta in offsets.items()}


def behind(done: Mapping[TopicPartition, int], targets: Mapping[TopicPartition, int]) -> int:
    """How many offsets the group still has to commit to reach `targets`."""
    return sum(max(0, end - done.get(tp, 0)) for tp, end in targets.items() if end > 0)


async def wait_committed(
    admin: AIOKafkaAdminClient, group: str, targets: Mapping[TopicPartition, int],
    service: ServiceProcess, timeout_s: float = 3600.0,
) -> None:  # fmt: skip
    """Until the group has committed every partition up to its target offset."""
    async with asyncio.timeout(timeout_s):
        while behind(await committed(admin, group), targets):
            service.check_alive("during the measurement")
            await asyncio.sleep(POLL_S)


@contextlib.asynccontextmanager
async def started_admin(bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = clients.admin(bootstrap)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


@dataclass(frozen=True)
class BrokerHandle:
    bootstrap: str
    pid: int | None  # None: an external broker, not measured


@contextlib.contextmanager
def broker(bootstrap: str | None, workdir: Path, heap: str = "1g") -> Iterator[BrokerHandle]:
    """`bootstrap` when given, else a local broker in `workdir` for the duration."""
    if bootstrap:
        yield BrokerHandle(bootstrap, None)
        return
    fetch_jars()
    port, controller = free_ports(2)
    local = LocalBroker(BrokerConfig(data_dir=workdir / "kafka", port=port,
                                     controller_port=controller, heap_max=heap))  # fmt: skip
    local.start()
    try:
        yield BrokerHandle(local.bootstrap, local.pid)
    finally:
        local.stop()
