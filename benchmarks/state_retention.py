"""Memory held after loading the splitter's interchange ledger and the acknowledger's done
entries, with and without their retention windows.

Synthetic state: OLD entries written 400 days ago (outside both windows) and RECENT entries
written an hour ago. Each variant loads in a fresh process, through the same calls the
services use while reading their topics (`InterchangeLedger.record` with the record timestamp,
`changelog.apply` of `d|<group>` records), then reports entries held, resident memory growth
and load time. No Kafka: this measures what is held, not the fetch.

    .venv/bin/python benchmarks/state_retention.py [--old 1000000] [--recent 10000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import psutil

from edimesh.acknowledger.changelog import apply
from edimesh.acknowledger.state import PartitionState
from edimesh.splitter.ledger import InterchangeLedger, LedgerEntry

DAY_MS = 24 * 3600 * 1000
VARIANTS = ("ledger-unbounded", "ledger-365d", "done-unbounded", "done-30d")


def _rss() -> int:
    return int(psutil.Process().memory_info().rss)


def _ages(old: int, recent: int, now_ms: int) -> list[int]:
    return [now_ms - 400 * DAY_MS] * old + [now_ms - 3600 * 1000] * recent


def _ledger(retention_days: int | None, old: int, recent: int) -> tuple[int, float, int]:
    now_ms = int(time.time() * 1000)
    retention = None if retention_days is None else retention_days * DAY_MS
    before = _rss()
    started = time.perf_counter()
    ledger = InterchangeLedger(retention)
    for n, at_ms in enumerate(_ages(old, recent, now_ms)):
        # Fresh strings per entry, as decoding each record makes them.
        file_id = f"{n // 50:064x}"
        ledger.record(f"ZZSUBMITTER{n % 997:04d}|ZZPAYER{n % 13:08d}|{n:09d}",
                      LedgerEntry(file_id, n % 50 + 1), at_ms)  # fmt: skip
    ledger.sort()
    return len(ledger), time.perf_counter() - started, _rss() - before


def _done(retention_days: int | None, old: int, recent: int) -> tuple[int, float, int]:
    now_ms = int(time.time() * 1000)
    retention = None if retention_days is None else retention_days * DAY_MS
    before = _rss()
    started = time.perf_counter()
    state = PartitionState(0, 1, retention)
    state.restore_now_ms = now_ms
    for n, at_ms in enumerate(_ages(old, recent, now_ms)):
        value = json.dumps({"control_number": f"{n:09d}", "digest": f"{n:016x}",
                            "timed_out": False}).encode()  # fmt: skip
        apply(state, f"d|ZZSUBMITTER|{n % 997:04d}|{n:09d}".encode(), value, [], at_ms)
    state.prune()
    return len(state.done), time.perf_counter() - started, _rss() - before


def _run(variant: str, old: int, recent: int) -> None:
    kind, _, window = variant.partition("-")
    days = None if window == "unbounded" else int(window.rstrip("d"))
    held, seconds, grown = (_ledger if kind == "ledger" else _done)(days, old, recent)
    print(json.dumps({"variant": variant, "held": held, "seconds": round(seconds, 2),
                      "rss_growth_mib": round(grown / 2**20, 1)}))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=int, default=1_000_000)
    parser.add_argument("--recent", type=int, default=10_000)
    parser.add_argument("--variant", choices=VARIANTS, help="run one variant in this process")
    args = parser.parse_args()
    if args.variant:
        _run(args.variant, args.old, args.recent)
        return
    print(f"{args.old} entries 400 days old + {args.recent} entries an hour old")
    print(f"{'variant':<18} {'held':>9} {'load s':>7} {'RSS growth MiB':>15}")
    for variant in VARIANTS:
        out = subprocess.run(
            [sys.executable, __file__, "--variant", variant, "--old", str(args.old),
             "--recent", str(args.recent)],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        r = json.loads(out)
        print(f"{r['variant']:<18} {r['held']:>9} {r['seconds']:>7} {r['rss_growth_mib']:>15}")


if __name__ == "__main__":
    main()
