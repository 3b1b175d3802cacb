"""The local Kafka broker's startup time and memory.

For each run, a fresh data dir (cold: includes formatting the KRaft storage) and then a
restart on the same dir (warm). Reports seconds from the JVM's launch to ready (the log says
"Kafka Server started" AND a metadata request is answered) and the JVM's resident memory
right after ready.

    .venv/bin/python benchmarks/broker_startup.py [--runs 3] [--heap 1g]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import psutil

from edimesh.localbroker import (
    DEFAULT_KAFKA_VERSION,
    BrokerConfig,
    LocalBroker,
    fetch_jars,
    free_ports,
)


def measure(data_dir: Path, heap: str) -> tuple[float, float, float]:
    """(start() wall seconds, launch->ready seconds, RSS MiB after ready)."""
    port, controller_port = free_ports(2)
    broker = LocalBroker(
        BrokerConfig(data_dir=data_dir, port=port, controller_port=controller_port, heap_max=heap)
    )
    began = time.monotonic()
    broker.start()
    wall = time.monotonic() - began
    try:
        pid = broker.pid
        assert pid is not None
        assert broker.ready_seconds is not None
        rss_mib = psutil.Process(pid).memory_info().rss / 2**20
    finally:
        broker.stop()
    return wall, broker.ready_seconds, rss_mib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--heap", default="1g")
    args = parser.parse_args()

    fetch_jars(DEFAULT_KAFKA_VERSION)  # not timed: once per machine
    rows: dict[str, list[tuple[float, float, float]]] = {"cold": [], "warm": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="edimesh-bench-") as tmp:
            rows["cold"].append(measure(Path(tmp), args.heap))
            rows["warm"].append(measure(Path(tmp), args.heap))

    cpus = psutil.cpu_count()
    print(f"Kafka {DEFAULT_KAFKA_VERSION}, -Xmx{args.heap}, {args.runs} runs, {cpus} cpus")
    print(f"{'':5} {'start() s':>10} {'launch->ready s':>16} {'RSS MiB':>9}   (median; min-max)")
    for kind, values in rows.items():
        cells = []
        for column, width in zip(zip(*values, strict=True), (10, 16, 9), strict=True):
            cells.append(f"{statistics.median(column):>{width}.2f}")
        spread = ", ".join(
            f"{min(column):.2f}-{max(column):.2f}" for column in zip(*values, strict=True)
        )
        print(f"{kind:5} {' '.join(cells)}   ({spread})")


if __name__ == "__main__":
    main()
