"""What /readyz and /livez report: named readiness conditions and an event-loop heartbeat.

Condition names are code names (`kafka_reachable`), never data: they are the only thing a
probe response says about the service, so no identifier can reach a scraper or a log.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")

Clock = Callable[[], float]


class Readiness:
    """Ready when every condition is met. A condition is a flag the service sets, or a
    predicate evaluated at each probe (for state the service already keeps, such as partner
    status), so nothing has to remember to clear it."""

    def __init__(self, *conditions: str) -> None:
        self._flags: dict[str, bool] = {}
        self._checks: dict[str, Callable[[], bool]] = {}
        for name in conditions:
            self._flags[_checked(name)] = False

    def set(self, name: str, met: bool = True) -> None:
        """Mark a flag condition met (or unmet); declares it on first use."""
        self._flags[_checked(name)] = met

    def clear(self, name: str) -> None:
        self.set(name, False)

    def require(self, name: str, predicate: Callable[[], bool]) -> None:
        """A condition that holds whenever `predicate()` is true (it must be cheap and sync)."""
        self._checks[_checked(name)] = predicate

    def unmet(self) -> list[str]:
        """The names of the unmet conditions, sorted; a predicate that raises counts as unmet."""
        names = [name for name, met in self._flags.items() if not met]
        for name, predicate in self._checks.items():
            try:
                met = predicate()
            except Exception:  # noqa: BLE001 - a broken check must not break the probe
                met = False
            if not met:
                names.append(name)
        return sorted(set(names))

    @property
    def ready(self) -> bool:
        return not self.unmet()


class Heartbeat:
    """Liveness: a background task beats every `interval_s`; older than `stale_after_s` means
    the event loop is starved or blocked (a probe that times out says the same, louder)."""

    def __init__(
        self, *, interval_s: float = 1.0, stale_after_s: float = 10.0, clock: Clock = time.monotonic
    ) -> None:
        if not 0 < interval_s < stale_after_s:
            raise ValueError("heartbeat interval must be positive and shorter than stale_after")
        self.interval_s = interval_s
        self.stale_after_s = stale_after_s
        self._clock = clock
        self._last = clock()

    def beat(self) -> None:
        self._last = self._clock()

    @property
    def alive(self) -> bool:
        return self._clock() - self._last <= self.stale_after_s


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError("a readiness condition is a code name: a-z, 0-9 and '_', 48 at most")
    return name
