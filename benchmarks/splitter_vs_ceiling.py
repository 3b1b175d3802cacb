"""The splitter against a plain aiokafka producer loop (the ceiling), in one run.

For a synthetic 837P (1 GB by default) and a small one (10 MB, the memory reference):

- splitter: `python -m edimesh.splitter` as its own process with its default settings; time from
  publishing one FileStaged event to the group's committed offset passing it (every set is then
  committed in Kafka); peak RSS is the process's VmHWM.
- ceiling: the same set bytes produced by a plain idempotent aiokafka producer (same acks,
  compression and request size), without envelope checks, Avro or transactions. The set
  boundaries are found beforehand, untimed, so the ceiling loop only reads and sends.

    .venv/bin/python benchmarks/splitter_vs_ceiling.py [--size 1GB] [--small 10MB]
        [--claims-per-set 10] [--bootstrap HOST:PORT] [--json]

Without --bootstrap (or EDIMESH_BOOTSTRAP) a local broker is started in a temporary folder.
Targets: splitter >= 0.5 x ceiling; peak RSS <= 128 MB and flat from the small to the large file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from array import array
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from edimesh.bench.files import synth_file
from edimesh.checker.reader import scan_file
from edimesh.localbroker import BrokerConfig, LocalBroker, fetch_jars, free_ports
from edimesh.mesh.admin import ensure_topics
from edimesh.mesh.codec import encode
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import MAX_MESSAGE_BYTES, mesh_topics
from edimesh.x12.events import TransactionSetUnit

READY_LINE = b"partitions assigned"
POLL_S = 0.05
SETTLE_S = 2.0  # new partitions answer NotLeader/NotEnoughReplicas for a moment: not measured


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


def parse_size(text: str) -> int:
    units = {"KB": 10**3, "MB": 10**6, "GB": 10**9, "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30}
    text = text.strip().upper()
    for unit, factor in units.items():
        if text.endswith(unit):
            return int(float(text[: -len(unit)]) * factor)
    return int(text)


def set_bounds(path: Path) -> tuple[array[int], array[int]]:
    """(starts, ends) of every transaction set, found with the core; untimed."""
    starts, ends = array("q"), array("q")
    for event in scan_file(path):
        if isinstance(event, TransactionSetUnit):
            starts.append(event.start)
            ends.append(event.end)
    return starts, ends


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


# ------------------------------------------------------------------ splitter


def _spawn(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "edimesh.splitter"], env=env, stdout=log, stderr=log
        )


async def committed(admin: AIOKafkaAdminClient, group: str, tp: TopicPartition) -> int:
    offsets = await admin.list_consumer_group_offsets(group, partitions=[tp])
    meta = offsets.get(tp)
    return -1 if meta is None else int(meta.offset)


async def run_splitter(bootstrap: str, path: Path, sets: int, workdir: Path) -> Run:
    tag = uuid.uuid4().hex[:8]
    prefix, group = f"bench{tag}.", f"bench-splitter-{tag}"
    topics = mesh_topics(prefix)
    await ensure_topics(bootstrap, topics.all())
    await asyncio.sleep(SETTLE_S)
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
    env |= {
        "EDIMESH_SPLITTER_BOOTSTRAP": bootstrap,
        "EDIMESH_SPLITTER_GROUP_ID": group,
        "EDIMESH_SPLITTER_TOPIC_PREFIX": prefix,
        "EDIMESH_SPLITTER_STAGING_ROOT": str(path.parent),
        "EDIMESH_ENV": "test",
        "EDIMESH_LOG_LEVEL": "INFO",
    }
    log_path = workdir / f"splitter-{tag}.log"
    proc = await asyncio.to_thread(_spawn, env, log_path)
    size = await asyncio.to_thread(lambda: path.stat().st_size)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    try:
        while READY_LINE not in await asyncio.to_thread(log_path.read_bytes):
            if proc.poll() is not None:
                raise RuntimeError(f"splitter exited early; see {log_path}")
            await asyncio.sleep(POLL_S)
        await admin.start()
        await producer.start()
        cpu_before = cpu_seconds(proc.pid)
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
        while await committed(admin, group, tp) <= meta.offset:
            if proc.poll() is not None:
                raise RuntimeError(f"splitter exited during the split; see {log_path}")
            await asyncio.sleep(POLL_S)
        seconds = time.perf_counter() - began
        peak = vm_hwm(proc.pid)
        cpu = cpu_seconds(proc.pid) - cpu_before
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 60)
        with contextlib.suppress(Exception):
            await producer.stop()
        with contextlib.suppress(Exception):
            await admin.close()
    return Run(size, sets, seconds, peak, cpu)


# ------------------------------------------------------------------ ceiling


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
    size = await asyncio.to_thread(lambda: path.stat().st_size)
    tag = uuid.uuid4().hex[:8]
    spec = mesh_topics(f"ceiling{tag}.").transactions
    await ensure_topics(bootstrap, [spec])
    await asyncio.sleep(SETTLE_S)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
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


async def topic_messages(bootstrap: str, topic: str, partitions: int) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in range(partitions)])
    finally:
        await consumer.stop()
    return sum(ends.values())


# ------------------------------------------------------------------ main


async def measure(bootstrap: str, large: Path, small: Path, workdir: Path) -> dict[str, object]:
    results: dict[str, object] = {}
    for label, path in (("small", small), ("large", large)):
        sys.stderr.write(f"indexing {label} file ({path.stat().st_size / 1e6:.0f} MB)...\n")
        starts, ends = set_bounds(path)
        sys.stderr.write(f"splitter on {label}...\n")
        split = await run_splitter(bootstrap, path, len(starts), workdir)
        sys.stderr.write(f"ceiling on {label}...\n")
        ceiling = await run_ceiling(bootstrap, path, starts, ends)
        results[label] = {
            "file_bytes": split.bytes,
            "sets": split.sets,
            "splitter": {**asdict(split), "mb_s": round(split.mb_s, 1),
                         "sets_s": round(split.sets_s)},
            "ceiling": {**asdict(ceiling), "mb_s": round(ceiling.mb_s, 1),
                        "sets_s": round(ceiling.sets_s)},
            "ratio": round(split.mb_s / ceiling.mb_s, 3),
            "splitter_peak_rss_mb": round((split.peak_rss_bytes or 0) / 1e6, 1),
        }  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1GB")
    parser.add_argument("--small", default="10MB")
    parser.add_argument("--claims-per-set", type=int, default=10)
    parser.add_argument("--bootstrap", default=os.environ.get("EDIMESH_BOOTSTRAP"))
    parser.add_argument("--workdir", type=Path, default=None, help="where files are generated")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    sys.stderr.write("generating synthetic 837P files (cached)...\n")
    large = synth_file(parse_size(args.size), claims_per_set=args.claims_per_set,
                       directory=args.workdir)  # fmt: skip
    small = synth_file(parse_size(args.small), claims_per_set=args.claims_per_set,
                       directory=args.workdir)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="edimesh-bench-") as tmp:
        workdir = Path(tmp)
        broker = None
        bootstrap = args.bootstrap
        if not bootstrap:
            fetch_jars()
            port, controller = free_ports(2)
            config = BrokerConfig(data_dir=workdir / "kafka", port=port,
                                  controller_port=controller, heap_max="1g")  # fmt: skip
            broker = LocalBroker(config)
            broker.start()
            bootstrap = broker.bootstrap
        try:
            results = asyncio.run(measure(bootstrap, large, small, workdir))
        finally:
            if broker is not None:
                broker.stop()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'file':>8} {'MB':>7} {'sets':>9} {'splitter MB/s':>14} {'sets/s':>8} "
          f"{'ceiling MB/s':>13} {'sets/s':>8} {'ratio':>6} {'peak RSS MB':>12}")  # fmt: skip
    for label, row in results.items():
        assert isinstance(row, dict)
        s, c = row["splitter"], row["ceiling"]
        print(f"{label:>8} {row['file_bytes'] / 1e6:>7.0f} {row['sets']:>9} {s['mb_s']:>14} "
              f"{s['sets_s']:>8} {c['mb_s']:>13} {c['sets_s']:>8} {row['ratio']:>6} "
              f"{row['splitter_peak_rss_mb']:>12}")  # fmt: skip
    print("targets: ratio >= 0.5; peak RSS <= 128 MB and flat between the two files")


if __name__ == "__main__":
    main()
