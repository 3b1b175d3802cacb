"""The one backoff: doubling, capped, bounded attempts, jitter never near zero."""

from __future__ import annotations

import pytest

from edimesh.mesh.backoff import Backoff, jittered_backoff_s
from edimesh.transfer.backoff import Backoff as TransferBackoff

POLICY = Backoff(attempts=4, initial_s=0.5, max_s=3.0)


def test_ceilings_double_then_cap() -> None:
    assert [POLICY.ceiling(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


@pytest.mark.parametrize("rand", [0.0, 0.5, 0.999])
def test_jitter_stays_between_half_and_full_ceiling(rand: float) -> None:
    for attempt in range(1, 8):
        ceiling = POLICY.ceiling(attempt)
        delay = POLICY.delay(attempt, rand=lambda: rand)
        assert ceiling / 2 <= delay <= ceiling


def test_real_jitter_spreads_delays() -> None:
    delays = {POLICY.delay(3) for _ in range(50)}
    assert len(delays) > 1
    assert all(1.0 <= d <= 2.0 for d in delays)


def test_attempts_are_bounded() -> None:
    assert [POLICY.allows(n) for n in range(1, 6)] == [True, True, True, True, False]
    assert not Backoff(attempts=0, initial_s=1, max_s=1).allows(1)
    with pytest.raises(ValueError, match="start at 1"):
        POLICY.ceiling(0)


def test_huge_attempt_numbers_do_not_overflow() -> None:
    assert POLICY.ceiling(10_000) == 3.0


def test_no_attempt_limit_allows_every_retry() -> None:
    assert Backoff(None, 0.5, 3.0).allows(10_000)


def test_a_zero_start_stays_zero_unless_a_restart_is_given() -> None:
    assert [Backoff(None, 0.0, 3.0).ceiling(n) for n in range(1, 4)] == [0.0, 0.0, 0.0]
    restarting = Backoff(None, 0.0, 0.3, restart_s=0.1)
    assert [restarting.ceiling(n) for n in range(1, 5)] == [0.0, 0.1, 0.2, 0.3]


def test_the_services_share_one_implementation() -> None:
    assert TransferBackoff is Backoff
    for attempt in range(1, 8):
        ceiling = POLICY.ceiling(attempt)
        assert ceiling / 2 <= jittered_backoff_s(0.5, 3.0, attempt) <= ceiling
