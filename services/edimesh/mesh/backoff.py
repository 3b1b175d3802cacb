"""Exponential backoff, as a pure function of the attempt number: the one every service uses.

retry = Backoff(attempts=5, initial_s=1.0, max_s=60.0)
if retry.allows(attempt):
    await asyncio.sleep(retry.delay(attempt))
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

_system_random = random.SystemRandom()


@dataclass(frozen=True, slots=True)
class Backoff:
    """`attempts` retries after the first try (None: no limit); ceilings double from
    `initial_s` up to `max_s`. With `initial_s` 0 every ceiling is 0, unless `restart_s` is
    set: then the first is 0 and doubling starts from `restart_s` (a retry at once, but no
    hot loop)."""

    attempts: int | None
    initial_s: float
    max_s: float
    restart_s: float = 0.0

    def ceiling(self, attempt: int) -> float:
        """The largest delay before retry number `attempt` (1-based)."""
        if attempt < 1:
            raise ValueError("attempt numbers start at 1")
        first, doublings = self.initial_s, attempt - 1
        if first == 0 and self.restart_s > 0:
            if doublings == 0:
                return 0.0
            first, doublings = self.restart_s, doublings - 1
        return min(self.max_s, first * 2.0 ** min(doublings, 62))

    def delay(self, attempt: int, rand: Callable[[], float] = _system_random.random) -> float:
        """A delay in [ceiling/2, ceiling]: spread out, yet never close to zero."""
        ceiling = self.ceiling(attempt)
        return ceiling / 2 + rand() * ceiling / 2

    def allows(self, attempt: int) -> bool:
        """Whether retry number `attempt` may still be made."""
        return self.attempts is None or attempt <= self.attempts


def jittered_backoff_s(first_s: float, max_s: float, attempt: int) -> float:
    """A jittered delay before retry number `attempt` (1-based), without an attempt limit."""
    return Backoff(None, first_s, max_s).delay(attempt)
