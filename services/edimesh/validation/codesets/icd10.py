"""ICD-10-CM diagnosis codes from the maintained ``simple-icd-10-cm`` package's data.

The package parses its whole XML tabular list on import (over a second, and a deprecation
warning); this module reads only its plain code list, a preorder walk of the classification,
so a code is billable (a leaf: valid on a claim) when the next code does not extend it.
The edition is the package's (April 2026 for 1.5.0): a code retired before it, or added
after it, is judged by that edition. When the package is missing the set is "not loaded"
and findings say so.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

PACKAGE = "simple_icd_10_cm"


def _code_list() -> Path | None:
    spec = importlib.util.find_spec(PACKAGE)  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    lists = sorted(data.glob("code-list-*.txt"))
    return lists[-1] if lists else None


def parse_code_list(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(billable codes, all codes) from a preorder list, one code a line, without dots."""
    codes = [
        line.split(" ", 1)[0].replace(".", "")
        for line in text.splitlines()
        if line and "-" not in line and not line.isdigit()
    ]
    billable = {c for c, nxt in zip(codes, [*codes[1:], ""], strict=True) if not nxt.startswith(c)}
    return frozenset(billable), frozenset(codes)


@cache
def load() -> tuple[frozenset[str], frozenset[str], str] | None:
    """(billable, all, edition) or None when the package is not installed."""
    path = _code_list()
    if path is None:
        return None
    billable, every = parse_code_list(path.read_text(encoding="utf-8"))
    return billable, every, path.stem.removeprefix("code-list-")
