"""The join state of one partition: pending groups, completed ("done") groups, the sequence.

Pure and in memory; `changelog.py` turns each change into a record of the partition's
changelog. A group is pending from its first record (manifest or result) until its 999 is
built; then its manifest and results are dropped and only a `Done` remains (the 999's control
number), so a replayed input for that group is recognised and
ignored rather than answered twice.

Done entries are kept for a window (`done_retention_ms`, EDIMESH_ACKNOWLEDGER_DONE_RETENTION_DAYS)
and then forgotten: not restored when older at a rebuild, dropped by `expire_done` while
running; the changelog's retention deletes them from Kafka after the same time. An input for a
forgotten group would start a new pending group (and, its other records long gone, a timed-out
999); the window is sized so no input can still be delivered by then (docs/acknowledger.md).

Control numbers: sequence `n` of partition `p` out of `P` gives `n * P + p`, wrapped into
1..999999999: unique across partitions until the wrap, and persistent (the sequence is in the
changelog, written with the 999 that used it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from edimesh.mesh import messages

MAX_CONTROL_NUMBER = 999_999_999


@dataclass(slots=True)
class PendingGroup:
    """A group still waiting for its manifest or some of its results."""

    first_seen_ms: int
    manifest: messages.GroupManifest | None = None
    results: dict[str, messages.SetResult] = field(default_factory=dict)  # by ST02

    @property
    def complete(self) -> bool:
        return self.manifest is not None and len(self.results) >= self.manifest["emitted_count"]


@dataclass(frozen=True, slots=True)
class Done:
    """A group answered: its 999 published, or none (`control_number` "-" for a GS01 FA group,
    which X12 does not acknowledge; "" when the 999 could not be built, a bug)."""

    control_number: str
    timed_out: bool
    at_ms: int = field(default=0, compare=False)  # when answered (epoch ms): ages the entry


class PartitionState:
    """The state of one partition number of the co-partitioned inputs."""

    def __init__(
        self, partition: int, partitions: int, done_retention_ms: int | None = None
    ) -> None:
        if not 0 <= partition < partitions:
            raise ValueError("partition out of range")
        self.partition = partition
        self.partitions = partitions
        self.done_retention_ms = done_retention_ms  # None: done entries are kept forever
        self.pending: dict[str, PendingGroup] = {}
        self.done: dict[str, Done] = {}  # in the order answered: oldest first
        self.sequence = 0  # the next sequence number to use
        self.sequence_ms = 0  # when the sequence was last written to the changelog
        self.restore_now_ms = 0  # the rebuild's clock: restored entries are aged against it

    # ------------------------------------------------------------------ joining

    def add_manifest(
        self, group_key: str, manifest: messages.GroupManifest, now_ms: int
    ) -> PendingGroup | None:
        """The group, with `manifest` in; None when the group is done already (a replay)."""
        if group_key in self.done:
            return None
        group = self._group(group_key, now_ms)
        group.manifest = manifest
        return group

    def add_result(
        self, group_key: str, result: messages.SetResult, now_ms: int
    ) -> PendingGroup | None:
        """The group, with `result` in (a repeat of a set replaces it); None when done."""
        if group_key in self.done:
            return None
        group = self._group(group_key, now_ms)
        group.results[result["st02"]] = result
        return group

    def _group(self, group_key: str, now_ms: int) -> PendingGroup:
        group = self.pending.get(group_key)
        if group is None:
            group = self.pending[group_key] = PendingGroup(now_ms)
        return group

    def expired(self, now_ms: int, timeout_ms: int) -> list[str]:
        """The pending groups whose first record is at least `timeout_ms` old, oldest first."""
        due = [(g.first_seen_ms, key) for key, g in self.pending.items()
               if now_ms - g.first_seen_ms >= timeout_ms]  # fmt: skip
        return [key for _, key in sorted(due)]

    # ------------------------------------------------------------------ completing

    def allocate_control_number(self) -> str:
        """The next control number of this partition (nine digits); advances the sequence."""
        n = self.sequence
        self.sequence += 1
        value = (n * self.partitions + self.partition) % MAX_CONTROL_NUMBER + 1
        return f"{value:09d}"

    def finish(self, group_key: str, done: Done, now_ms: int | None = None) -> PendingGroup:
        """Mark the group done (at `now_ms`, else `done.at_ms`); returns what it held (for the
        changelog's tombstones)."""
        group = self.pending.pop(group_key)
        self._set_done(group_key, done if now_ms is None else replace(done, at_ms=now_ms))
        return group

    def _set_done(self, group_key: str, done: Done) -> None:
        self.done.pop(group_key, None)  # a re-insert goes last: the dict stays in time order
        self.done[group_key] = done

    # ------------------------------------------------------------------ forgetting

    def expire_done(self, now_ms: int) -> int:
        """Forget the groups answered before the window; how many were dropped. Stops at the
        first entry inside the window, so a call costs what it drops."""
        if self.done_retention_ms is None:
            return 0
        cutoff = now_ms - self.done_retention_ms
        stale = []
        for key, done in self.done.items():
            if done.at_ms >= cutoff:
                break
            stale.append(key)
        for key in stale:
            del self.done[key]
        return len(stale)

    def sequence_stale(self, now_ms: int, refresh_ms: int) -> bool:
        """Whether the sequence should be written again so the changelog's retention never
        deletes it (a lost sequence would reuse control numbers)."""
        return self.sequence > 0 and now_ms - self.sequence_ms >= refresh_ms

    # ------------------------------------------------------------------ rebuilding

    def restore_manifest(
        self, group_key: str, manifest: messages.GroupManifest | None, first_seen_ms: int
    ) -> None:
        group = self._restored(group_key, first_seen_ms)
        if group is not None:
            group.manifest = manifest

    def restore_result(
        self, group_key: str, st02: str, result: messages.SetResult | None, first_seen_ms: int
    ) -> None:
        group = self._restored(group_key, first_seen_ms)
        if group is None:
            return
        if result is None:
            group.results.pop(st02, None)
        else:
            group.results[st02] = result

    def _restored(self, group_key: str, first_seen_ms: int) -> PendingGroup | None:
        if group_key in self.done:
            return None
        group = self.pending.get(group_key)
        if group is None:
            group = self.pending[group_key] = PendingGroup(first_seen_ms)
        group.first_seen_ms = min(group.first_seen_ms, first_seen_ms)
        return group

    def restore_done(self, group_key: str, done: Done) -> None:
        if self.restored_too_old(done.at_ms):
            self.forget(group_key)
            return
        self.pending.pop(group_key, None)
        self._set_done(group_key, done)

    def restored_too_old(self, at_ms: int) -> bool:
        """Whether a done entry written at `at_ms` lies before the window, at the rebuild."""
        retention = self.done_retention_ms
        return retention is not None and at_ms < self.restore_now_ms - retention

    def forget(self, group_key: str) -> None:
        """A done entry from before the window: the group is neither pending nor held."""
        self.pending.pop(group_key, None)
        self.done.pop(group_key, None)

    def prune(self) -> None:
        """After a rebuild: drop groups whose every entry was a tombstone; put the done
        entries in answer order (record timestamps need not grow with offsets)."""
        empty = [k for k, g in self.pending.items() if g.manifest is None and not g.results]
        for key in empty:
            del self.pending[key]
        self.done = dict(sorted(self.done.items(), key=lambda item: item[1].at_ms))
