"""The splitter against a plain aiokafka producer loop (the ceiling), in one run.

For a synthetic 837P (1 GB by default) and a small one (10 MB, the memory reference); what is
measured and how is described in `edimesh.bench.splitter_service`, which `edimesh bench all`
runs too.

    .venv/bin/python benchmarks/splitter_vs_ceiling.py [--size 1GB] [--small 10MB]
        [--claims-per-set 10] [--bootstrap HOST:PORT] [--json]

Without --bootstrap (or EDIMESH_BOOTSTRAP) a local broker is started in a temporary folder.
Targets: splitter >= 0.5 x ceiling; peak RSS <= 128 MB and flat from the small to the large file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from edimesh.bench.files import synth_file
from edimesh.bench.report import parse_size
from edimesh.bench.services import broker
from edimesh.bench.splitter_service import compare


async def measure(bootstrap: str, large: Path, small: Path, workdir: Path) -> dict[str, object]:
    results: dict[str, object] = {}
    for label, path in (("small", small), ("large", large)):
        sys.stderr.write(f"splitter and ceiling on the {label} file "
                         f"({path.stat().st_size / 1e6:.0f} MB)...\n")  # fmt: skip
        c = await compare(bootstrap, path, workdir)
        split, ceiling = c.splitter, c.ceiling
        results[label] = {
            "file_bytes": split.bytes,
            "sets": split.sets,
            "splitter": {**asdict(split), "mb_s": round(split.mb_s, 1),
                         "sets_s": round(split.sets_s)},
            "ceiling": {**asdict(ceiling), "mb_s": round(ceiling.mb_s, 1),
                        "sets_s": round(ceiling.sets_s)},
            "ratio": round(c.ratio, 3),
            "splitter_peak_rss_mb": round((split.peak_rss_bytes or 0) / 1e6, 1),
        }  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
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
    with (
        tempfile.TemporaryDirectory(prefix="edimesh-bench-") as tmp,
        broker(args.bootstrap, Path(tmp)) as kafka,
    ):
        results = asyncio.run(measure(kafka.bootstrap, large, small, Path(tmp)))
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
