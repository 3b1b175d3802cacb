"""Which remote files are complete: pure decisions over two consecutive directory listings.

A partner either renames files into place when they are complete (the rename convention: a file
still carrying the temporary suffix is in progress, any other match is complete at first sight),
or writes them in place, in which case a file is complete once its size and modification time
are the same in two consecutive listings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True, slots=True)
class RemoteEntry:
    """One regular file in a listing. `name` is partner-supplied: never log it."""

    name: str
    size: int
    mtime: int


@dataclass(frozen=True, slots=True)
class Selection:
    ready: tuple[RemoteEntry, ...]  # complete files, in name order
    seen: Mapping[str, RemoteEntry]  # what to compare the next listing with


def candidates(
    listing: Iterable[RemoteEntry], pattern: str, temporary_suffix: str | None
) -> dict[str, RemoteEntry]:
    """Entries matching the pattern; dot-files and in-progress names are never candidates."""
    found = {}
    for entry in listing:
        if entry.name.startswith(".") or "/" in entry.name:
            continue
        if temporary_suffix and entry.name.endswith(temporary_suffix):
            continue
        if fnmatchcase(entry.name, pattern):
            found[entry.name] = entry
    return found


def select_ready(
    previous: Mapping[str, RemoteEntry],
    listing: Iterable[RemoteEntry],
    pattern: str,
    temporary_suffix: str | None = None,
) -> Selection:
    """The complete files of `listing`, given the previous listing's candidates."""
    current = candidates(listing, pattern, temporary_suffix)
    if temporary_suffix:
        ready = list(current.values())
    else:
        ready = [entry for name, entry in current.items() if previous.get(name) == entry]
    ready.sort(key=lambda entry: entry.name)
    return Selection(tuple(ready), current)
