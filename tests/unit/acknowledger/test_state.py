"""The acknowledger's join state and its changelog: join, complete, control numbers, rebuild."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from edimesh.acknowledger.answer import is_acknowledgment_group
from edimesh.acknowledger.changelog import ChangelogError, Changes, apply
from edimesh.acknowledger.settings import AcknowledgerSettings
from edimesh.acknowledger.state import MAX_CONTROL_NUMBER, Done, PartitionState, PendingGroup
from edimesh.mesh import messages
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import mesh_topics
from tests.unit.mesh_samples import GROUP_KEY, SAMPLES

MANIFEST: messages.GroupManifest = SAMPLES[MessageType.GROUP_MANIFEST]  # type: ignore[assignment]
RESULT: messages.SetResult = SAMPLES[MessageType.SET_RESULT]  # type: ignore[assignment]


def result(st02: str, group_key: str = GROUP_KEY) -> messages.SetResult:
    return {**RESULT, "st02": st02, "group_key": group_key,
            "idempotency_key": f"{group_key}|{st02}"}  # fmt: skip


def manifest(emitted: int, group_key: str = GROUP_KEY) -> messages.GroupManifest:
    return {**MANIFEST, "group_key": group_key, "emitted_count": emitted, "set_count": emitted}


def test_a_group_completes_when_its_manifest_and_every_emitted_result_are_in() -> None:
    state = PartitionState(0, 3)
    group = state.add_result(GROUP_KEY, result("0001"), 1000)
    assert group is not None
    assert not group.complete
    group = state.add_manifest(GROUP_KEY, manifest(2), 2000)
    assert group is not None
    assert not group.complete
    group = state.add_result(GROUP_KEY, result("0001"), 3000)  # a repeat counts once
    assert group is not None
    assert not group.complete
    group = state.add_result(GROUP_KEY, result("0002"), 4000)
    assert group is not None
    assert group.complete
    assert group.first_seen_ms == 1000


def test_a_manifest_with_no_emitted_sets_completes_at_once() -> None:
    group = PartitionState(0, 1).add_manifest(GROUP_KEY, manifest(0), 0)
    assert group is not None
    assert group.complete


def test_input_for_a_done_group_is_ignored() -> None:
    state = PartitionState(0, 1)
    state.add_manifest(GROUP_KEY, manifest(1), 0)
    state.add_result(GROUP_KEY, result("0001"), 0)
    state.finish(GROUP_KEY, Done("000000001", False))
    assert state.add_result(GROUP_KEY, result("0001"), 5) is None
    assert state.add_manifest(GROUP_KEY, manifest(1), 5) is None
    assert GROUP_KEY not in state.pending


def test_control_numbers_are_unique_across_partitions_and_wrap_into_range() -> None:
    seen: set[str] = set()
    for partition in range(3):
        state = PartitionState(partition, 3)
        for _ in range(50):
            seen.add(state.allocate_control_number())
    assert len(seen) == 150
    assert all(len(c) == 9 and 1 <= int(c) <= MAX_CONTROL_NUMBER for c in seen)
    state = PartitionState(2, 3)
    state.sequence = MAX_CONTROL_NUMBER // 3
    numbers = [int(state.allocate_control_number()) for _ in range(3)]
    assert all(1 <= n <= MAX_CONTROL_NUMBER for n in numbers)


def test_expired_lists_groups_past_the_timeout_oldest_first() -> None:
    state = PartitionState(0, 1)
    state.add_result("g2", result("1", "g2"), 2000)
    state.add_manifest("g1", manifest(3, "g1"), 1000)
    state.add_result("g3", result("1", "g3"), 9000)
    assert state.expired(5000, 3000) == ["g1", "g2"]


def replay(changes: Changes, state: PartitionState) -> None:
    for pending in changes.pending():
        assert pending.partition == changes.partition
        apply(state, pending.key, pending.value, pending.headers)


def test_the_changelog_rebuilds_pending_groups_done_groups_and_the_sequence() -> None:
    live = PartitionState(1, 3)
    changes = Changes("state", 1)
    for key, st02 in (("ga", "1"), ("gb", "1"), ("gb", "2")):
        group = live.add_result(key, result(st02, key), 700)
        assert group is not None
        changes.put_result(key, result(st02, key), group.first_seen_ms)
    group = live.add_manifest("ga", manifest(1, "ga"), 800)
    assert group is not None
    assert group.complete
    changes.put_manifest("ga", manifest(1, "ga"), group.first_seen_ms)
    done = Done(live.allocate_control_number(), False)
    held = live.finish("ga", done)
    changes.put_done("ga", done, list(held.results), held.manifest is not None)
    changes.put_sequence(live.sequence)

    rebuilt = PartitionState(1, 3)
    replay(changes, rebuilt)
    rebuilt.prune()
    assert rebuilt.done == {"ga": done}
    assert set(rebuilt.pending) == {"gb"}
    assert set(rebuilt.pending["gb"].results) == {"1", "2"}
    assert rebuilt.pending["gb"].first_seen_ms == 700
    assert rebuilt.sequence == live.sequence == 1
    assert rebuilt.allocate_control_number() == live.allocate_control_number()


def test_a_group_written_across_two_transactions_rebuilds_whole() -> None:
    first, second = Changes("state", 0), Changes("state", 0)
    first.put_result("g", result("1", "g"), 100)
    second.put_manifest("g", manifest(2, "g"), 100)
    rebuilt = PartitionState(0, 1)
    replay(first, rebuilt)
    replay(second, rebuilt)
    group = rebuilt.pending["g"]
    assert group.manifest is not None
    assert set(group.results) == {"1"}
    assert not group.complete


@pytest.mark.parametrize(("key", "value"), [
    (None, b"{}"), (b"x|g", b"{}"), (b"d|g", b"not json"), (b"s", b"{}"),
    (b"m|g", b"\x00garbage"),
])  # fmt: skip
def test_an_unreadable_changelog_entry_is_an_error(key: bytes | None, value: bytes) -> None:
    headers: list[tuple[str, Any]] = []
    with pytest.raises(ChangelogError):
        apply(PartitionState(0, 1), key, value, headers)


def _with_gs01(record: Any, gs01: str) -> Any:
    return {**record, "envelope": {**record["envelope"], "gs01": gs01}}


@pytest.mark.parametrize(("gs01", "expected"), [("HC", False), ("FA", True)])
def test_only_groups_of_acknowledgments_go_unanswered(gs01: str, expected: bool) -> None:
    by_manifest = PendingGroup(0, manifest=_with_gs01(MANIFEST, gs01))
    by_result = PendingGroup(0, results={"0001": _with_gs01(RESULT, gs01)})
    assert is_acknowledgment_group(by_manifest) is expected
    assert is_acknowledgment_group(by_result) is expected
    assert is_acknowledgment_group(PendingGroup(0)) is False


# ---------------------------------------------------------------------- the done window

DAY = 24 * 3600 * 1000
NOW = 1_800_000_000_000  # a fixed "now", epoch ms
WINDOW = 30 * DAY


def answered(state: PartitionState, group_key: str, at_ms: int) -> Done:
    state.add_manifest(group_key, manifest(0, group_key), at_ms)
    done = Done(state.allocate_control_number(), False)
    state.finish(group_key, done, at_ms)
    return state.done[group_key]


def test_finish_stamps_the_answer_time_outside_equality() -> None:
    state = PartitionState(0, 1, WINDOW)
    done = answered(state, "g", NOW)
    assert done.at_ms == NOW
    assert done == Done(done.control_number, False)


def test_done_groups_are_forgotten_once_older_than_the_window() -> None:
    state = PartitionState(0, 1, WINDOW)
    for day in range(5):  # answered 34, 33, ... 30 days before NOW
        answered(state, f"g{day}", NOW - (34 - day) * DAY)
    answered(state, "recent", NOW - DAY)
    assert state.expire_done(NOW) == 4  # exactly 30 days old is still inside
    assert list(state.done) == ["g4", "recent"]
    assert state.expire_done(NOW) == 0
    assert state.expire_done(NOW + 1) == 1
    assert list(state.done) == ["recent"]


def test_without_a_window_done_groups_are_kept() -> None:
    state = PartitionState(0, 1)
    answered(state, "g", 0)
    assert state.expire_done(NOW) == 0
    assert list(state.done) == ["g"]


def test_input_for_a_forgotten_group_starts_a_new_group() -> None:
    # What the window must make impossible in practice (docs/acknowledger.md).
    state = PartitionState(0, 1, WINDOW)
    answered(state, GROUP_KEY, NOW - WINDOW - 1)
    assert state.add_result(GROUP_KEY, result("0001"), NOW) is None  # still held: ignored
    assert state.expire_done(NOW) == 1
    group = state.add_result(GROUP_KEY, result("0001"), NOW)
    assert group is not None
    assert not group.complete  # no manifest: it would time out into a second 999


def replay_at(changes: Changes, state: PartitionState, timestamp: int | None) -> None:
    for pending in changes.pending():
        apply(state, pending.key, pending.value, pending.headers, timestamp)


def test_a_rebuild_leaves_out_groups_answered_before_the_window() -> None:
    old, recent = Changes("state", 0), Changes("state", 0)
    old.put_result("old", result("1", "old"), 10)
    old.put_done("old", Done("000000001", False), ["1"], manifest=False)
    old.put_sequence(1)
    recent.put_done("recent", Done("000000002", True), [], manifest=False)
    recent.put_sequence(2)
    rebuilt = PartitionState(0, 1, WINDOW)
    rebuilt.restore_now_ms = NOW
    replay_at(old, rebuilt, NOW - WINDOW - 1)
    replay_at(recent, rebuilt, NOW - WINDOW)
    rebuilt.prune()
    assert rebuilt.done == {"recent": Done("000000002", True)}
    assert rebuilt.done["recent"].at_ms == NOW - WINDOW
    assert rebuilt.pending == {}  # the old group's tombstoned result left no group behind
    assert rebuilt.sequence == 2  # the sequence is never aged out of memory
    assert rebuilt.sequence_ms == NOW - WINDOW


def test_a_record_without_a_timestamp_counts_as_written_at_the_rebuild() -> None:
    changes = Changes("state", 0)
    changes.put_done("g", Done("000000001", False), [], manifest=False)
    rebuilt = PartitionState(0, 1, WINDOW)
    rebuilt.restore_now_ms = NOW
    replay_at(changes, rebuilt, None)
    assert rebuilt.done["g"].at_ms == NOW


def test_the_rebuild_orders_done_groups_by_answer_time() -> None:
    # Record timestamps need not grow with offsets (producer clocks); expiry relies on order.
    late, early = Changes("state", 0), Changes("state", 0)
    late.put_done("late", Done("000000002", False), [], manifest=False)
    early.put_done("early", Done("000000001", False), [], manifest=False)
    rebuilt = PartitionState(0, 1, WINDOW)
    rebuilt.restore_now_ms = NOW
    replay_at(late, rebuilt, NOW - DAY)
    replay_at(early, rebuilt, NOW - 20 * DAY)
    rebuilt.prune()
    assert list(rebuilt.done) == ["early", "late"]
    assert rebuilt.expire_done(NOW + 11 * DAY) == 1
    assert list(rebuilt.done) == ["late"]


def test_a_group_answered_again_moves_to_the_end() -> None:
    state = PartitionState(0, 1, WINDOW)
    answered(state, "a", NOW - 40 * DAY)
    answered(state, "b", NOW - 35 * DAY)
    state.expire_done(NOW - 5 * DAY - 1)  # "a" goes (40 > 35 days old), "b" stays
    answered(state, "a", NOW)  # a late input re-opened "a" after it was forgotten
    assert list(state.done) == ["b", "a"]
    assert state.expire_done(NOW) == 1
    assert list(state.done) == ["a"]


def test_the_sequence_is_stale_a_refresh_interval_after_it_was_written() -> None:
    state = PartitionState(0, 1, WINDOW)
    assert not state.sequence_stale(NOW, DAY)  # never used: nothing to keep
    state.allocate_control_number()
    state.sequence_ms = NOW - DAY + 1
    assert not state.sequence_stale(NOW, DAY)
    assert state.sequence_stale(NOW + 1, DAY)


def test_the_done_window_must_outlast_the_inputs() -> None:
    topics = mesh_topics()
    assert AcknowledgerSettings().done_retention_ms == topics.acknowledger_state.retention_ms
    reach = max(topics.group_manifests.max_record_age_ms or 0,
                topics.set_results.max_record_age_ms or 0)  # fmt: skip
    with pytest.raises(ValidationError, match="done_retention_days"):
        AcknowledgerSettings(done_retention_days=reach // DAY)
    with pytest.raises(ValidationError, match="done_retention_days"):  # plus the ack timeout
        AcknowledgerSettings(done_retention_days=reach // DAY + 1, ack_timeout_s=2 * DAY / 1000)
    assert AcknowledgerSettings(done_retention_days=reach // DAY + 1).done_retention_days


def test_a_done_entry_holds_control_number_and_timeout_and_older_ones_still_read() -> None:
    changes = Changes("state", 0)
    changes.put_done("g", Done("000000007", True), [], manifest=False)
    (written,) = changes.pending()
    assert written.value is not None
    assert json.loads(written.value) == {"control_number": "000000007", "timed_out": True}
    rebuilt = PartitionState(0, 1, WINDOW)
    rebuilt.restore_now_ms = NOW
    older = b'{"control_number": "000000008", "digest": "0f1e", "timed_out": false}'
    apply(rebuilt, b"d|h", older, [], NOW)
    assert rebuilt.done["h"] == Done("000000008", False)
