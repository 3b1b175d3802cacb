"""Exponential backoff with jitter, as a pure function of the attempt number."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

_system_random = random.SystemRandom()


@dataclass(frozen=True, slots=True)
class Backoff:
    """`attempts` retries after the first try; delays double from `initial_s` up to `max_s`."""

    attempts: int
    initial_s: float
    max_s: float

    def ceiling(self, attempt: int) -> float:
        """The largest delay before retry number `attempt` (1-based)."""
        if attempt < 1:
            raise ValueError("attempt numbers start at 1")
        return min(self.max_s, self.initial_s * 2.0 ** min(attempt - 1, 62))

    def delay(self, attempt: int, rand: Callable[[], float] = _system_random.random) -> float:
        """A delay in [ceiling/2, ceiling]: spread out, yet never close to zero."""
        ceiling = self.ceiling(attempt)
        return ceiling / 2 + rand() * ceiling / 2

    def allows(self, attempt: int) -> bool:
        """Whether retry number `attempt` may still be made."""
        return attempt <= self.attempts
