"""One split benchmark measurement in its own process, so that its peak RSS is its own.

    python -m edimesh.bench.split_worker core|split|naive FILE

Writes one JSON object to stdout: bytes, seconds, units (sets or segments), peak_rss_bytes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import orjson

from edimesh.bench.rss import vm_hwm
from edimesh.checker.reader import scan_file
from edimesh.x12.events import TransactionSetUnit

CHUNK = 1 << 20
NAIVE_CHUNK = 64 << 10  # a common read size; each split(delim, 1) copies the rest of it


def run_core(path: Path) -> int:
    """Bytes to transaction-set units with every envelope check."""
    return sum(1 for e in scan_file(path, chunk_bytes=CHUNK) if isinstance(e, TransactionSetUnit))


def run_split(path: Path, terminator: bytes = b"~") -> int:
    """The plain baseline: chunked `bytes.split` on the terminator, carrying the tail."""
    segments = 0
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            parts = (tail + chunk).split(terminator)
            tail = parts.pop()
            segments += len(parts)
    return segments + (1 if tail else 0)


def run_naive(path: Path, terminator: str = "~") -> int:
    """The loop most first versions use: read text, then `split(delim, 1)` again and again."""
    segments = 0
    buffer = ""
    with path.open(encoding="utf-8") as fh:
        while chunk := fh.read(NAIVE_CHUNK):
            buffer += chunk
            while terminator in buffer:
                _segment, buffer = buffer.split(terminator, 1)
                segments += 1
    return segments + (1 if buffer else 0)


MODES = {"core": run_core, "split": run_split, "naive": run_naive}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in MODES:
        sys.stderr.write(f"usage: split_worker {'|'.join(MODES)} FILE\n")
        return 2
    path = Path(argv[1])
    started = time.perf_counter()
    units = MODES[argv[0]](path)
    seconds = time.perf_counter() - started
    peak = vm_hwm()  # this process: VmHWM, unlike ru_maxrss, is not inherited across exec
    result = {
        "mode": argv[0],
        "bytes": path.stat().st_size,
        "seconds": seconds,
        "units": units,
        "peak_rss_bytes": peak,
    }
    sys.stdout.buffer.write(orjson.dumps(result) + b"\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
