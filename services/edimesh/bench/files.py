"""Synthetic benchmark inputs, generated once into a cache directory and reused."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from edimesh.x12.synth import SynthOptions, file_size, iter_837p, options_for_size


def cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "edimesh" / "bench"


def synth_file(
    target_bytes: int,
    *,
    claims_per_set: int,
    directory: Path | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Path:
    """A synthetic 837P of about `target_bytes`, written once (atomically) and then reused."""
    options: SynthOptions = options_for_size(target_bytes, claims_per_set=claims_per_set)
    tag = hashlib.sha256(repr(options).encode()).hexdigest()[:12]
    folder = directory or cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"837p-{target_bytes}-{tag}.x12"
    if path.exists():
        return path
    total = file_size(options)
    partial = path.with_suffix(".part")
    written = 0
    with partial.open("wb") as fh:
        for chunk in iter_837p(options, chunk_size=1 << 20):
            fh.write(chunk)
            written += len(chunk)
            if on_progress is not None:
                on_progress(written, total)
    partial.rename(path)
    return path
