"""Progress and dead-letter records: round trips, and no foreign text in error messages."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from edimesh.errors import TransientError
from edimesh.mesh.codec import decode, encode
from edimesh.mesh.dead_letter import dead_letter
from edimesh.mesh.schemas import MessageType
from edimesh.splitter.handler import Verdicts
from edimesh.splitter.progress import FileProgress, progress_partition

NOW = datetime(2024, 3, 15, 10, 0, tzinfo=UTC)


def test_progress_round_trips_through_its_schema() -> None:
    progress = FileProgress("f" * 64, "edi.files.staged", 2, 41, outputs=1500, sets=1480,
                            byte_offset=7_000_000, verdicts=Verdicts(3, frozenset({2})),
                            done=False)  # fmt: skip
    record = decode(*encode(MessageType.SPLITTER_PROGRESS, progress.to_record(NOW)),
                    expected=MessageType.SPLITTER_PROGRESS)  # fmt: skip
    assert FileProgress.from_record(record) == progress  # type: ignore[arg-type]


def test_progress_partitions_map_each_source_partition_to_one_place() -> None:
    assert [progress_partition(p, 3) for p in range(6)] == [0, 1, 2, 0, 1, 2]


def _record(value: bytes | None = b"\x00raw") -> SimpleNamespace:
    return SimpleNamespace(topic="edi.files.staged", partition=1, offset=9, key=b"k",
                           value=value, headers=(("edimesh.schema", b"FileStaged"),))  # fmt: skip


def test_dead_letters_keep_the_message_and_only_safe_error_text() -> None:
    foreign = dead_letter(_record(), ValueError("member SSN-123-45-6789 is bad"), 1, NOW,
                          service="splitter")
    assert foreign["error_class"] == "builtins.ValueError"
    assert foreign["error_message"] == "ValueError"
    ours = dead_letter(_record(None), TransientError("the staged file is gone"), 3, NOW,
                       service="splitter")
    assert ours["error_message"] == "the staged file is gone"
    assert ours["attempt_count"] == 3
    assert ours["original_value"] is None
    decoded = decode(*encode(MessageType.DEAD_LETTER, foreign), expected=MessageType.DEAD_LETTER)
    assert decoded["original_value"] == b"\x00raw"
    assert decoded["original_headers"] == [{"key": "edimesh.schema", "value": b"FileStaged"}]
