"""Bounded memory in the splitter: the duplicate-interchange window and finished files' progress."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from edimesh.mesh.topics import DAY_MS, mesh_topics
from edimesh.splitter.ledger import InterchangeLedger, LedgerEntry
from edimesh.splitter.progress import FileProgress, drop_finished
from edimesh.splitter.settings import SplitterSettings

NOW_MS = 1_800_000_000_000  # a fixed "now" (2027-01-15)
WINDOW_MS = 10 * DAY_MS


class Clock:
    """A settable clock in epoch seconds, as time.time."""

    def __init__(self, now_ms: int) -> None:
        self.now_ms = now_ms

    def __call__(self) -> float:
        return self.now_ms / 1000


def key(n: int) -> str:
    return f"SENDER|RECEIVER|{n:09d}"


def test_keys_older_than_the_window_are_not_loaded() -> None:
    ledger = InterchangeLedger(WINDOW_MS, Clock(NOW_MS))
    ledger.record(key(1), LedgerEntry("old", 1), NOW_MS - WINDOW_MS - 1)
    ledger.record(key(2), LedgerEntry("edge", 1), NOW_MS - WINDOW_MS)
    ledger.record(key(3), LedgerEntry("new", 2), NOW_MS - 1)
    assert ledger.accepted(key(1)) is None
    assert ledger.accepted(key(2)) == LedgerEntry("edge", 1)
    assert ledger.accepted(key(3)) == LedgerEntry("new", 2)
    assert len(ledger) == 2


def test_without_a_window_every_key_is_kept() -> None:
    ledger = InterchangeLedger(None, Clock(NOW_MS))
    ledger.record(key(1), LedgerEntry("ancient", 1), 1)
    assert ledger.expire() == 0
    assert ledger.accepted(key(1)) == LedgerEntry("ancient", 1)


def test_the_first_acceptance_counts_and_keeps_its_time() -> None:
    clock = Clock(NOW_MS)
    ledger = InterchangeLedger(WINDOW_MS, clock)
    ledger.record(key(1), LedgerEntry("first", 1), NOW_MS - 5 * DAY_MS)
    ledger.record(key(1), LedgerEntry("second", 4), NOW_MS)  # a later write of the same key
    assert ledger.accepted(key(1)) == LedgerEntry("first", 1)
    clock.now_ms = NOW_MS + 6 * DAY_MS  # 11 days after the first acceptance
    assert ledger.expire() == 1
    assert ledger.accepted(key(1)) is None


def test_expire_forgets_keys_as_they_leave_the_window() -> None:
    clock = Clock(NOW_MS)
    ledger = InterchangeLedger(WINDOW_MS, clock)
    for day in range(10):  # accepted 9, 8, ... 0 days ago, in order
        ledger.record(key(day), LedgerEntry(f"f{day}", 1), NOW_MS - (9 - day) * DAY_MS)
    ledger.record(key(99), LedgerEntry("local", 1))  # this process's own commit: now
    assert ledger.expire() == 0
    clock.now_ms = NOW_MS + 3 * DAY_MS + 1  # keys accepted 9, 8 and 7 days ago are now too old
    assert ledger.expire() == 3
    assert [ledger.accepted(key(d)) is None for d in range(10)] == [True] * 3 + [False] * 7
    assert ledger.accepted(key(99)) == LedgerEntry("local", 1)
    clock.now_ms = NOW_MS + WINDOW_MS + 1
    assert ledger.expire() == 8
    assert len(ledger) == 0


def test_sort_lets_expire_reach_old_keys_loaded_after_recent_ones() -> None:
    # Partitions are read interleaved: a recent key of one can come before old keys of another.
    clock = Clock(NOW_MS)
    ledger = InterchangeLedger(WINDOW_MS, clock)
    ledger.record(key(1), LedgerEntry("p0-recent", 1), NOW_MS - 1 * DAY_MS)
    ledger.record(key(2), LedgerEntry("p1-older", 1), NOW_MS - 8 * DAY_MS)
    clock.now_ms = NOW_MS + 3 * DAY_MS
    assert ledger.expire() == 0  # stops at the first key inside the window
    ledger.sort()
    assert ledger.expire() == 1
    assert ledger.accepted(key(2)) is None
    assert ledger.accepted(key(1)) == LedgerEntry("p0-recent", 1)


def progress(file_id: str, *, done: bool, age_days: float | None) -> FileProgress:
    updated = (
        None
        if age_days is None
        else datetime.fromtimestamp((NOW_MS - age_days * DAY_MS) / 1000, tz=UTC)
    )
    return FileProgress(file_id, "edi.files.staged", 0, 1, done=done, updated_at=updated)


def test_only_files_finished_before_the_window_are_dropped() -> None:
    held = {
        "old-done": progress("old-done", done=True, age_days=11),
        "old-unfinished": progress("old-unfinished", done=False, age_days=40),
        "recent-done": progress("recent-done", done=True, age_days=9),
        "unstamped": progress("unstamped", done=True, age_days=None),
    }
    assert drop_finished(held, NOW_MS, WINDOW_MS) == 1
    assert sorted(held) == ["old-unfinished", "recent-done", "unstamped"]
    assert drop_finished(held, NOW_MS + 2 * DAY_MS, WINDOW_MS) == 1
    assert sorted(held) == ["old-unfinished", "unstamped"]


def test_commit_time_is_read_from_the_record_but_not_compared() -> None:
    at = datetime(2027, 1, 1, tzinfo=UTC)
    record = FileProgress("f", "edi.files.staged", 0, 3, outputs=2, done=True).to_record(at)
    restored = FileProgress.from_record(record)
    assert restored.updated_at == at
    assert restored == FileProgress("f", "edi.files.staged", 0, 3, outputs=2, done=True)


def test_windows_default_to_the_topics_retention() -> None:
    settings = SplitterSettings()
    topics = mesh_topics()
    assert settings.ledger_retention_days == 365
    assert settings.progress_retention_days == 30
    assert settings.ledger_retention_ms == topics.interchange_ledger.retention_ms
    assert settings.progress_retention_ms == topics.splitter_progress.retention_ms


def test_windows_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIMESH_SPLITTER_LEDGER_RETENTION_DAYS", "730")
    monkeypatch.setenv("EDIMESH_SPLITTER_PROGRESS_RETENTION_DAYS", "21")
    settings = SplitterSettings()
    assert settings.ledger_retention_ms == 730 * DAY_MS
    assert settings.progress_retention_ms == 21 * DAY_MS


def test_progress_window_must_outlast_a_redelivered_file_staged() -> None:
    reach = mesh_topics().files_staged.max_record_age_ms
    assert reach is not None
    with pytest.raises(ValidationError, match="progress_retention_days"):
        SplitterSettings(progress_retention_days=reach // DAY_MS)
    assert SplitterSettings(progress_retention_days=reach // DAY_MS + 1).progress_retention_days
    with pytest.raises(ValidationError):
        SplitterSettings(ledger_retention_days=0)
