"""A keyed dedupe window: entries remembered with when they happened, forgotten after
`retention_ms`, as the compacted topic behind them deletes them (`compact,delete`).

Entries are held in time order (`sort` restores it after a load that interleaved partitions),
so `expire` stops at the first entry still inside the window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class RetentionWindow(Generic[K, V]):
    """Key -> value; `_item_ms` gives an entry's time (epoch ms)."""

    __slots__ = ("_clock", "_entries", "retention_ms")

    def __init__(
        self, retention_ms: int | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.retention_ms = retention_ms  # None: keep every entry
        self._clock = clock
        self._entries: dict[K, V] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def _item_ms(item: tuple[K, V]) -> int:
        raise NotImplementedError  # on (key, value): `sort` calls it once per entry

    def outside_window(self, at_ms: int) -> bool:
        """Whether an entry of `at_ms` is too old to count now."""
        return self.retention_ms is not None and at_ms < self._now_ms() - self.retention_ms

    def expire(self) -> int:
        """Forget the entries from before the window; how many were dropped."""
        if self.retention_ms is None or not self._entries:
            return 0
        cutoff = self._now_ms() - self.retention_ms
        stale = []
        for item in self._entries.items():
            if self._item_ms(item) >= cutoff:
                break
            stale.append(item[0])
        for key in stale:
            del self._entries[key]
        return len(stale)

    def sort(self) -> None:
        """Put the entries back in time order (after loading several partitions)."""
        self._entries = dict(sorted(self._entries.items(), key=self._item_ms))

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)
