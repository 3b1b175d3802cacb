"""The splitter service against a plain aiokafka producer loop (the ceiling), in one run.

- splitter: `python -m edimesh.splitter` as its own process with its default settings; time from
  publishing one FileStaged event to the group's committed offset passing it (every set is then
  committed in Kafka); peak RSS is the process's VmHWM.
- ceiling: the same set bytes produced by a plain idempotent aiokafka producer (same acks,
  compression and request size), without envelope checks, Avro or transactions. The set
  boundaries are found beforehand, untimed, so the ceiling loop only reads and sends.

Targets (the splitter issue): splitter >= 0.5 x ceiling; peak RSS <= 128 MB and flat from the
small to the large file.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import TopicPartition

from edimesh.bench import clients
from edimesh.bench.services import (
    SETTLE_S,
    ServiceProcess,
    service_env,
    started_admin,
    wait_committed,
)
from edimesh.checker.reader import scan_file
from edimesh.mesh.admin import ensure_topics
from edimesh.mesh.codec import encode
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import MAX_MESSAGE_BYTES, mesh_topics
from edimesh.x12.events import TransactionSetUnit

RATIO_TARGET = 0.5
RSS_TARGET_BYTES = 128 * 10**6


@dataclass(frozen=True)
class Run:
    bytes: int
    sets: int
    seconds: float
    peak_rss_bytes: int | None = None
    cpu_seconds: float | None = None  # the measured process's user+system time for the run

    @property
    def mb_s(self) -> float:
        return self.bytes / self.seconds / 1e6

    @property
    def sets_s(self) -> float:
        return self.sets / self.seconds


@dataclass(frozen=True)
class SplitterComparison:
    """One file through the splitter service and through the ceiling loop."""

    splitter: Run
    ceiling: Run

    @property
    def ratio(self) -> float:
        return self.splitter.mb_s / self.ceiling.mb_s


def set_bounds(path: Path) -> tuple[array[int], array[int]]:
    """(starts, ends) of every transaction set, found with the core; untimed."""
    starts, ends = array("q"), array("q")
    for event in scan_file(path):
        if isinstance(event, TransactionSetUnit):
            starts.append(event.start)
            ends.append(event.end)
    return starts, ends


async def run_splitter(bootstrap: str, path: Path, sets: int, workdir: Path) -> Run:
    tag = uuid.uuid4().hex[:8]
    prefix, group = f"bench{tag}.", f"bench-splitter-{tag}"
    topics = mesh_topics(prefix)
    await ensure_topics(bootstrap, topics.all())
    await asyncio.sleep(SETTLE_S)
    env = service_env({
        "EDIMESH_SPLITTER_BOOTSTRAP": bootstrap,
        "EDIMESH_SPLITTER_GROUP_ID": group,
        "EDIMESH_SPLITTER_TOPIC_PREFIX": prefix,
        "EDIMESH_SPLITTER_STAGING_ROOT": str(path.parent),
    })  # fmt: skip
    size = (await asyncio.to_thread(path.stat)).st_size
    producer = clients.producer(bootstrap, enable_idempotence=True)
    async with (
        ServiceProcess("splitter", env, workdir, tag) as svc,
        started_admin(bootstrap) as admin,
    ):
        await svc.ready()
        await producer.start()
        try:
            cpu_before = svc.cpu_seconds()
            file_id = path.stem  # synth files are not named by sha256; any unique id will do
            staged = {
                "file_id": file_id,
                "size_bytes": size,
                "partner": "bench",
                "source_path_token": "k1:path:0000000000000000",
                "staging_uri": path.as_uri(),
                "received_at": datetime.now(UTC),
            }
            value, headers = encode(MessageType.FILE_STAGED, staged)
            meta = await producer.send_and_wait(topics.files_staged.name, value,
                                                key=file_id.encode(), headers=headers)  # fmt: skip
            began = time.perf_counter()
            tp = TopicPartition(topics.files_staged.name, meta.partition)
            await wait_committed(admin, group, {tp: meta.offset + 1}, svc)
            seconds = time.perf_counter() - began
            peak = svc.peak_rss().main
            cpu = svc.cpu_seconds() - cpu_before
        finally:
            await producer.stop()
    return Run(size, sets, seconds, peak, cpu)


def slices(path: Path, starts: array[int], ends: array[int]) -> Iterator[bytes]:
    """The set bytes in file order, read in 1 MiB chunks (no parsing)."""
    with path.open("rb") as fh:
        buf, base = b"", 0
        for start, end in zip(starts, ends, strict=True):
            while end > base + len(buf):
                buf = buf[start - base :] + fh.read(1 << 20)
                base = start
            yield buf[start - base : end - base]


async def run_ceiling(bootstrap: str, path: Path, starts: array[int], ends: array[int]) -> Run:
    size = (await asyncio.to_thread(path.stat)).st_size
    tag = uuid.uuid4().hex[:8]
    spec = mesh_topics(f"ceiling{tag}.").transactions
    await ensure_topics(bootstrap, [spec])
    await asyncio.sleep(SETTLE_S)
    producer = clients.producer(
        bootstrap,
        enable_idempotence=True,
        acks="all",
        compression_type="zstd",
        max_request_size=MAX_MESSAGE_BYTES,
        max_batch_size=512 * 1024,
        linger_ms=5,
    )
    await producer.start()
    try:
        began, cpu_before = time.perf_counter(), time.process_time()
        futures = []
        for i, body in enumerate(slices(path, starts, ends)):
            key = f"EDIMESHSUBMIT|EDIMESHPAYER|{i:09d}|{i}|{i:04d}".encode()
            futures.append(await producer.send(spec.name, body, key=key))
            if len(futures) >= 5000:  # keep the ceiling's own memory in check
                await asyncio.gather(*futures)
                futures.clear()
        await asyncio.gather(*futures)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu_before
    finally:
        await producer.stop()
    return Run(size, len(starts), seconds, None, cpu)


async def compare(bootstrap: str, path: Path, workdir: Path) -> SplitterComparison:
    """The splitter and the ceiling on one file, one after the other."""
    starts, ends = await asyncio.to_thread(set_bounds, path)
    split = await run_splitter(bootstrap, path, len(starts), workdir)
    ceiling = await run_ceiling(bootstrap, path, starts, ends)
    return SplitterComparison(split, ceiling)
