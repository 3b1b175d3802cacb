"""`edimesh bench split`: the X12 core against a chunked split and a naive loop, same file."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import orjson

from edimesh.errors import FatalError


@dataclass(frozen=True)
class Measurement:
    mode: str
    bytes: int
    seconds: float
    units: int
    peak_rss_bytes: int

    @property
    def mb_per_s(self) -> float:
        return self.bytes / self.seconds / 1e6


def measure(mode: str, path: Path) -> Measurement:
    """Run one measurement in a fresh interpreter (its own peak RSS, no warm caches of ours)."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "edimesh.bench.split_worker", mode, str(path)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise FatalError(f"benchmark worker '{mode}' failed: {detail[0]}")
    data = orjson.loads(done.stdout)
    return Measurement(
        mode=data["mode"],
        bytes=data["bytes"],
        seconds=data["seconds"],
        units=data["units"],
        peak_rss_bytes=data["peak_rss_bytes"],
    )
