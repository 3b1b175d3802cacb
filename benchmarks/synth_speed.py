"""How fast the synthetic 837P generator streams: `python benchmarks/synth_speed.py [MB] [seed]`.

Consumes `iter_837p` without keeping anything, so it measures generation alone (no disk).
"""

from __future__ import annotations

import resource
import sys
import time

from edimesh.x12.synth import iter_837p, options_for_size


def main(argv: list[str]) -> None:
    target_mb = float(argv[1]) if len(argv) > 1 else 200.0
    seed = int(argv[2]) if len(argv) > 2 else 0
    options = options_for_size(int(target_mb * 1_000_000), seed=seed)
    start = time.perf_counter()
    total = chunks = 0
    for chunk in iter_837p(options):
        total += len(chunk)
        chunks += 1
    elapsed = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        f"{total / 1e6:.1f} MB, {options.claims} claims, {options.sets} sets, "
        f"{options.interchanges} interchanges, {chunks} chunks in {elapsed:.2f} s: "
        f"{total / 1e6 / elapsed:.0f} MB/s (peak RSS {peak_mib:.0f} MiB)"
    )


if __name__ == "__main__":
    main(sys.argv)
