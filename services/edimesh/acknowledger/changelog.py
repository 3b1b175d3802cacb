"""The changelog topic's records: one key per fact, so an update rewrites one small record.

| key                     | value                                    | meaning                   |
|-------------------------|------------------------------------------|---------------------------|
| `m|<group key>`         | GroupManifest (Avro, schema headers)     | the group's manifest      |
| `r|<group key>|<ST02>`  | SetResult (Avro, schema headers)         | one set's result          |
| `d|<group key>`         | JSON {control_number, timed_out}         | the group's 999 was sent  |
| `s`                     | JSON {next}                              | the partition's sequence  |

A manifest or result entry carries the wall-clock time its group was first seen
(`edimesh.ack.first_seen_ms` header): the timeout counts from it, across restarts. A group's
`m` and `r` entries are tombstoned (value None) in the transaction that writes its `d` entry,
so compaction leaves one small entry per answered group.

The topic is `compact,delete`: an entry older than its retention.ms is deleted even if it is
the latest for its key. A `d` entry's record timestamp is when its group was answered (the
state forgets it after the same window); the `s` entry is rewritten at least daily by the
worker so the sequence outlives the retention.
"""

from __future__ import annotations

import json
from typing import Any

from edimesh.acknowledger.state import Done, PartitionState
from edimesh.errors import EdiMeshError
from edimesh.mesh import messages
from edimesh.mesh.codec import decode, encode
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.transactions import Headers, Pending

FIRST_SEEN_HEADER = "edimesh.ack.first_seen_ms"
SEQUENCE_KEY = "s"


class ChangelogError(EdiMeshError):
    """A changelog record this version cannot read (a bug or a foreign writer)."""


class Changes:
    """The changelog records of one transaction, last write per key wins."""

    def __init__(self, topic: str, partition: int) -> None:
        self.topic = topic
        self.partition = partition
        self._records: dict[str, tuple[bytes | None, Headers]] = {}

    def __len__(self) -> int:
        return len(self._records)

    def put_manifest(self, group_key: str, manifest: messages.GroupManifest, first_ms: int) -> None:
        value, headers = encode(MessageType.GROUP_MANIFEST, manifest)
        self._records[f"m|{group_key}"] = (value, [*headers, _first(first_ms)])

    def put_result(self, group_key: str, result: messages.SetResult, first_ms: int) -> None:
        value, headers = encode(MessageType.SET_RESULT, result)
        self._records[f"r|{group_key}|{result['st02']}"] = (value, [*headers, _first(first_ms)])

    def put_done(self, group_key: str, done: Done, st02s: list[str], manifest: bool) -> None:
        """The group's `d` entry and tombstones for what it held."""
        record = {"control_number": done.control_number, "timed_out": done.timed_out}
        self._records[f"d|{group_key}"] = (json.dumps(record).encode(), [])
        if manifest:
            self._records[f"m|{group_key}"] = (None, [])
        for st02 in st02s:
            self._records[f"r|{group_key}|{st02}"] = (None, [])

    def put_sequence(self, sequence: int) -> None:
        self._records[SEQUENCE_KEY] = (json.dumps({"next": sequence}).encode(), [])

    def pending(self) -> list[Pending]:
        return [Pending(self.topic, key.encode(), value, headers, self.partition)  # type: ignore[arg-type]
                for key, (value, headers) in self._records.items()]  # fmt: skip


def _first(first_ms: int) -> tuple[str, bytes]:
    return (FIRST_SEEN_HEADER, str(first_ms).encode())


def apply(
    state: PartitionState,
    key: bytes | None,
    value: bytes | None,
    headers: Any,
    timestamp: int | None = None,
) -> None:
    """Replay one changelog record (written at `timestamp`, epoch ms) into `state` (rebuild at
    assignment); without a timestamp the record counts as written at `state.restore_now_ms`."""
    if key is None:
        raise ChangelogError("changelog record without a key")
    text = key.decode()
    kind = text.partition("|")[0]
    if text != SEQUENCE_KEY and kind not in {"d", "m", "r"}:
        raise ChangelogError(f"unknown changelog entry kind {kind!r}")
    try:
        at_ms = timestamp if timestamp is not None and timestamp > 0 else state.restore_now_ms
        _apply(state, text, value, list(headers or []), at_ms)
    except (ValueError, KeyError, TypeError, EdiMeshError) as exc:
        raise ChangelogError(f"unreadable changelog entry of kind {kind!r}") from exc


def _apply(
    state: PartitionState,
    text: str,
    value: bytes | None,
    headers: list[tuple[str, bytes]],
    at_ms: int,
) -> None:
    kind, _, rest = text.partition("|")
    if text == SEQUENCE_KEY:
        if value is not None:
            state.sequence = max(state.sequence, int(json.loads(value)["next"]))
            state.sequence_ms = max(state.sequence_ms, at_ms)
    elif kind == "d":
        if value is not None and state.restored_too_old(at_ms):
            state.forget(rest)  # not even parsed: most of a long changelog is this
        elif value is not None:
            d = json.loads(value)  # older entries also hold a "digest": ignored
            done = Done(str(d["control_number"]), bool(d["timed_out"]), at_ms)
            state.restore_done(rest, done)
    elif kind == "m":
        manifest = None if value is None else decode(
            value, headers, expected=MessageType.GROUP_MANIFEST)  # fmt: skip
        state.restore_manifest(rest, manifest, _first_seen(headers))  # type: ignore[arg-type]
    else:
        group_key, _, st02 = rest.rpartition("|")
        result = None if value is None else decode(
            value, headers, expected=MessageType.SET_RESULT)  # fmt: skip
        state.restore_result(group_key, st02, result, _first_seen(headers))  # type: ignore[arg-type]


def _first_seen(headers: list[tuple[str, bytes]]) -> int:
    for name, value in headers:
        if name == FIRST_SEEN_HEADER:
            return int(value)
    return 2**62  # a tombstone: no group to start a clock for
