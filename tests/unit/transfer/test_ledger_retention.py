"""The staged-files ledger as a window: old content is skipped at load and expires while
running, so the same bytes resent after the window are staged again."""

from __future__ import annotations

import hashlib

from edimesh.mesh.topics import DAY_MS
from edimesh.transfer.ledger import StagedLedger, apply_record

NOW_S = 1_800_000_000.0
NOW_MS = int(NOW_S * 1000)
WINDOW_MS = 90 * DAY_MS


class Clock:
    def __init__(self) -> None:
        self.now_s = NOW_S

    def __call__(self) -> float:
        return self.now_s

    def advance_days(self, days: float) -> None:
        self.now_s += days * DAY_MS / 1000


def file_id(n: int) -> str:
    return hashlib.sha256(f"file {n}".encode()).hexdigest()


def windowed(clock: Clock | None = None) -> StagedLedger:
    return StagedLedger(WINDOW_MS, clock or Clock())


def test_records_older_than_the_window_are_skipped_at_load() -> None:
    ledger = windowed()
    assert not apply_record(ledger, file_id(1).encode(), b"v", NOW_MS - 91 * DAY_MS)
    assert apply_record(ledger, file_id(2).encode(), b"v", NOW_MS - 89 * DAY_MS)
    assert apply_record(ledger, file_id(3).encode(), b"v", NOW_MS)
    assert len(ledger) == 2
    assert file_id(1) not in ledger
    assert file_id(2) in ledger


def test_an_old_record_is_skipped_before_its_key_is_parsed() -> None:
    ledger = windowed()
    assert not apply_record(ledger, b"\xff not even ascii", b"v", NOW_MS - 400 * DAY_MS)
    assert apply_record(ledger, b"\xff not even ascii", b"v", NOW_MS)  # read, then ignored
    assert len(ledger) == 0


def test_a_tombstone_forgets_and_foreign_keys_are_ignored() -> None:
    ledger = windowed()
    apply_record(ledger, file_id(1).encode(), b"v", NOW_MS - DAY_MS)
    apply_record(ledger, file_id(2).encode(), b"v", NOW_MS - DAY_MS)
    apply_record(ledger, file_id(1).encode(), None, NOW_MS)
    apply_record(ledger, b"not-hex", b"v", NOW_MS)
    apply_record(ledger, None, b"v", NOW_MS)
    assert len(ledger) == 1
    assert file_id(2) in ledger


def test_a_record_without_a_timestamp_counts_as_staged_now() -> None:
    clock = Clock()
    ledger = windowed(clock)
    assert apply_record(ledger, file_id(1).encode(), b"v", None)
    assert apply_record(ledger, file_id(2).encode(), b"v", -1)
    clock.advance_days(89)
    assert ledger.expire() == 0
    clock.advance_days(2)
    assert ledger.expire() == 2


def test_without_a_window_nothing_is_skipped_or_expired() -> None:
    clock = Clock()
    ledger = StagedLedger(clock=clock)
    assert apply_record(ledger, file_id(1).encode(), b"v", NOW_MS - 4000 * DAY_MS)
    clock.advance_days(4000)
    assert ledger.expire() == 0
    assert file_id(1) in ledger


def test_expire_drops_exactly_the_entries_past_the_window() -> None:
    clock = Clock()
    ledger = windowed(clock)
    for n, age_days in enumerate([80, 60, 10, 0]):
        ledger.record(file_id(n), NOW_MS - age_days * DAY_MS)
    clock.advance_days(20)  # ages now 100, 80, 30, 20
    assert ledger.expire() == 1
    assert [file_id(n) in ledger for n in range(4)] == [False, True, True, True]
    clock.advance_days(20)
    assert ledger.expire() == 1
    assert len(ledger) == 2


def test_sort_restores_staging_order_after_an_interleaved_load() -> None:
    clock = Clock()
    ledger = windowed(clock)
    # Partition A's records, then partition B's: not in staging order.
    for n, age_days in [(0, 10), (1, 85), (2, 5), (3, 88)]:
        apply_record(ledger, file_id(n).encode(), b"v", NOW_MS - age_days * DAY_MS)
    ledger.sort()
    clock.advance_days(6)  # ages 16, 91, 11, 94
    assert ledger.expire() == 2
    assert sorted(n for n in range(4) if file_id(n) in ledger) == [0, 2]


async def test_content_staged_again_after_the_window_is_claimed_anew() -> None:
    clock = Clock()
    ledger = windowed(clock)
    assert await ledger.claim(file_id(1))
    ledger.settle(file_id(1), published=True)
    clock.advance_days(89)
    assert not await ledger.claim(file_id(1))  # still a duplicate inside the window
    clock.advance_days(2)
    assert file_id(1) not in ledger
    assert await ledger.claim(file_id(1))  # the claim expired it: published again
    assert len(ledger) == 0
    ledger.settle(file_id(1), published=True)
    clock.advance_days(89)
    assert not await ledger.claim(file_id(1))  # the window restarts from the new staging


async def test_running_claims_keep_memory_to_the_window() -> None:
    clock = Clock()
    ledger = windowed(clock)
    for n in range(200):
        assert await ledger.claim(file_id(n))
        ledger.settle(file_id(n), published=True)
        clock.advance_days(1)
    # The last claim (day 199) expired what was staged before day 109; the ledger then holds
    # days 109..199, and a day later day 109 is out too.
    assert len(ledger) == 91
    assert file_id(199) in ledger
    assert file_id(109) not in ledger
    assert ledger.expire() == 1
    assert len(ledger) == 90
