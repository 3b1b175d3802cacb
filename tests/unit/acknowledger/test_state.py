"""The acknowledger's join state and its changelog: join, complete, control numbers, rebuild."""

from __future__ import annotations

from typing import Any

import pytest

from edimesh.acknowledger.answer import is_acknowledgment_group
from edimesh.acknowledger.changelog import ChangelogError, Changes, apply
from edimesh.acknowledger.state import MAX_CONTROL_NUMBER, Done, PartitionState, PendingGroup
from edimesh.mesh import messages
from edimesh.mesh.schemas import MessageType
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
    state.finish(GROUP_KEY, Done("000000001", "d", False))
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
    done = Done(live.allocate_control_number(), "digest", False)
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
