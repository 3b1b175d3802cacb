"""The join state of one partition: pending groups, completed ("done") groups, the sequence.

Pure and in memory; `changelog.py` turns each change into a record of the partition's
changelog. A group is pending from its first record (manifest or result) until its 999 is
built; then its manifest and results are dropped and only a `Done` remains (the 999's control
number and a digest of its text), so a replayed input for that group is recognised and
ignored rather than answered twice.

Control numbers: sequence `n` of partition `p` out of `P` gives `n * P + p`, wrapped into
1..999999999: unique across partitions until the wrap, and persistent (the sequence is in the
changelog, written with the 999 that used it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    digest: str
    timed_out: bool


class PartitionState:
    """The state of one partition number of the co-partitioned inputs."""

    def __init__(self, partition: int, partitions: int) -> None:
        if not 0 <= partition < partitions:
            raise ValueError("partition out of range")
        self.partition = partition
        self.partitions = partitions
        self.pending: dict[str, PendingGroup] = {}
        self.done: dict[str, Done] = {}
        self.sequence = 0  # the next sequence number to use

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

    def finish(self, group_key: str, done: Done) -> PendingGroup:
        """Mark the group done; returns what it held (for the changelog's tombstones)."""
        group = self.pending.pop(group_key)
        self.done[group_key] = done
        return group

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
        self.pending.pop(group_key, None)
        self.done[group_key] = done

    def prune(self) -> None:
        """After a rebuild: drop groups whose every entry was a tombstone."""
        empty = [k for k, g in self.pending.items() if g.manifest is None and not g.results]
        for key in empty:
            del self.pending[key]
