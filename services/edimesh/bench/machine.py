"""The machine a benchmark ran on, for benchmarks/results.md."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

import psutil

from edimesh.bench.report import Machine
from edimesh.localbroker import DEFAULT_KAFKA_VERSION


def cpu_model(cpuinfo: str) -> str:
    """The first 'model name' of /proc/cpuinfo's text, else 'unknown'."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return "unknown"


def describe(kafka: str = DEFAULT_KAFKA_VERSION) -> Machine:
    try:
        model = cpu_model(Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace"))
    except OSError:
        model = platform.processor() or "unknown"
    return Machine(
        cpu_model=model,
        cores=os.cpu_count() or 0,
        memory_bytes=psutil.virtual_memory().total,
        python=platform.python_version(),
        kafka=kafka,
        system=f"{platform.system()} {platform.release()}",
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
