"""A part file kept when its download is abandoned: checkpointed at its last good offset, found
again by the next open, pruned once its remote file changes, and counted by the space guard."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from edimesh.transfer.errors import StagingFullError
from edimesh.transfer.staging import StagingArea, part_key

KEY = part_key("acme", "/inbound/a.x12", 11, 1700000000)
DATA = b"0123456789" * 1000


def _checkpoint(area: StagingArea) -> dict[str, object]:
    record = json.loads((area.partner_dir("acme") / f"{KEY}.ckpt").read_text(encoding="ascii"))
    assert isinstance(record, dict)
    return record


def test_a_kept_part_resumes_at_its_last_offset(tmp_path: Path) -> None:
    area = StagingArea(tmp_path)  # the default checkpoint interval is never reached here
    with area.open_part("acme", KEY) as part:
        part.write(DATA[:4000])
        part.write(DATA[4000:6543])
        assert part.keep()
    assert part.path.read_bytes() == DATA[:6543]  # the context exit did not delete it
    record = _checkpoint(area)
    assert record["offset"] == 6543
    assert record["sha256"] == hashlib.sha256(DATA[:6543]).hexdigest()

    with area.open_part("acme", KEY) as again:
        assert again.resumed_from == again.written == 6543
        again.write(DATA[6543:])
        assert again.hexdigest() == hashlib.sha256(DATA).hexdigest()
        again.seal()
        again.promote(again.hexdigest())
    assert sorted(p.suffix for p in area.partner_dir("acme").iterdir()) == [""]


def test_a_kept_sealed_part_resumes_complete(tmp_path: Path) -> None:
    area = StagingArea(tmp_path)
    with area.open_part("acme", KEY) as part:
        part.write(DATA)
        part.seal()
        assert part.keep()
    with area.open_part("acme", KEY) as again:
        assert again.written == len(DATA)
        assert again.hexdigest() == hashlib.sha256(DATA).hexdigest()


def test_an_empty_part_is_not_kept(tmp_path: Path) -> None:
    area = StagingArea(tmp_path)
    with area.open_part("acme", KEY) as part:
        assert not part.keep()
    assert list(area.partner_dir("acme").iterdir()) == []


def test_a_promoted_part_is_not_kept(tmp_path: Path) -> None:
    area = StagingArea(tmp_path)
    with area.open_part("acme", KEY) as part:
        part.write(DATA)
        part.seal()
        final = part.promote("f" * 64)
        assert not part.keep()
    assert [p.name for p in area.partner_dir("acme").iterdir()] == [final.name]


def test_a_kept_part_is_pruned_once_its_remote_file_changes(tmp_path: Path) -> None:
    area = StagingArea(tmp_path)
    with area.open_part("acme", KEY) as part:
        part.write(DATA[:100])
        part.keep()
    assert area.sweep("acme") == 0  # a part with its checkpoint survives a restart
    assert area.prune("acme", keep={KEY}) == 0
    assert area.prune("acme", keep=set()) == 1  # no longer in flight: prunable
    assert list(area.partner_dir("acme").iterdir()) == []


def test_room_counts_only_what_is_left_to_fetch(tmp_path: Path) -> None:
    free = 2 * len(DATA) - 4000  # room for the file twice, less what its part already holds
    area = StagingArea(tmp_path, disk_free=lambda _: free)
    with (
        pytest.raises(StagingFullError, match=f"needs {2 * len(DATA)} "),
        area.room_for("acme", len(DATA), KEY),
    ):
        pass
    with area.open_part("acme", KEY) as part:
        part.write(DATA[:4000])
        part.keep()
    with area.room_for("acme", len(DATA), KEY):
        pass
    refused = f"needs {2 * len(DATA) - 4000 + 1} .*less 4000 already in its part file"
    reserving = StagingArea(tmp_path, 1, lambda _: free)
    with pytest.raises(StagingFullError, match=refused), reserving.room_for("acme", len(DATA), KEY):
        pass
