"""The splitter worker's pause after failures in a row: doubling from the setting, capped."""

from __future__ import annotations

from edimesh.splitter.worker import MAX_BACKOFF_S, doubling_backoff_s


def pauses(first_s: float, count: int) -> list[float]:
    return [doubling_backoff_s(first_s, failures) for failures in range(1, count + 1)]


def test_the_pause_doubles_from_the_setting_up_to_the_cap() -> None:
    assert pauses(0.5, 7) == [0.5, 1.0, 2.0, 4.0, 8.0, MAX_BACKOFF_S, MAX_BACKOFF_S]


def test_a_zero_setting_retries_at_once_then_from_a_tenth_of_a_second() -> None:
    assert pauses(0.0, 4) == [0.0, 0.1, 0.2, 0.4]


def test_a_setting_above_the_cap_is_used_once() -> None:
    assert pauses(30.0, 3) == [30.0, MAX_BACKOFF_S, MAX_BACKOFF_S]
    assert doubling_backoff_s(0.5, 10_000) == MAX_BACKOFF_S
