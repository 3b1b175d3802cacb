"""Ledger claims and staging part files."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import os
import stat
from pathlib import Path

import pytest

from edimesh.transfer.errors import StagingFullError
from edimesh.transfer.ledger import StagedLedger
from edimesh.transfer.staging import CHECKPOINT_SUFFIX, PART_SUFFIX, StagingArea, part_key

ID = hashlib.sha256(b"x").hexdigest()
KEY = part_key("acme", "/inbound/a.x12", 11, 1700000000)


async def test_a_claim_waits_for_the_pending_one() -> None:
    ledger = StagedLedger()
    assert await ledger.claim(ID)
    waiter = asyncio.create_task(ledger.claim(ID))
    await asyncio.sleep(0)
    assert not waiter.done()
    ledger.settle(ID, published=True)
    assert await waiter is False
    assert ID in ledger
    assert len(ledger) == 1


async def test_a_failed_publish_lets_the_next_claim_win() -> None:
    ledger = StagedLedger()
    assert await ledger.claim(ID)
    waiter = asyncio.create_task(ledger.claim(ID))
    ledger.settle(ID, published=False)
    assert await waiter is True


def test_part_file_lifecycle(tmp_path: Path) -> None:
    area = StagingArea(tmp_path / "staging")
    with area.open_part("acme", KEY) as part:
        assert part.path.name.endswith(".part")
        assert stat.S_IMODE(part.path.stat().st_mode) == 0o640
        part.write(b"hello ")
        part.write(b"world")
        part.seal()
        final = part.promote(ID)
    assert final == tmp_path / "staging" / "acme" / ID
    assert final.read_bytes() == b"hello world"
    assert stat.S_IMODE((tmp_path / "staging" / "acme").stat().st_mode) == 0o750
    assert list(final.parent.glob("*.part")) == []


def _fail_halfway(area: StagingArea) -> None:
    with area.open_part("acme", KEY) as part:
        part.write(b"half")
        raise RuntimeError("download failed")


def test_an_unpromoted_part_is_deleted(tmp_path: Path) -> None:
    area = StagingArea(tmp_path)
    with pytest.raises(RuntimeError):
        _fail_halfway(area)
    assert list((tmp_path / "acme").iterdir()) == []


def test_sweep_removes_leftovers_that_cannot_be_resumed(tmp_path: Path) -> None:
    area = StagingArea(tmp_path)
    directory = area.partner_dir("acme")
    (directory / "abc.part").write_bytes(b"x")  # no checkpoint
    (directory / "def.ckpt").write_bytes(b"{}")  # no part
    (directory / "ghi.ckpt.tmp").write_bytes(b"{")  # a torn checkpoint write
    (directory / "jkl.part").write_bytes(b"x")
    (directory / "jkl.ckpt").write_bytes(b"{}")
    (directory / ID).write_bytes(b"x")
    assert area.sweep("acme") == 3
    assert sorted(p.name for p in directory.iterdir()) == [ID, "jkl.ckpt", "jkl.part"]


def _crashed_part(root: Path, chunks: list[bytes], key: str = KEY) -> Path:
    """A part file as a killed process leaves it: written, checkpointed, never closed."""
    part = StagingArea(root, checkpoint_bytes=4).open_part("acme", key)
    for chunk in chunks:
        part.write(chunk)
        part.wait_checkpoint()  # deterministic: each checkpoint is made before the next write
    os.close(part._require_fd())  # what the kernel does at exit; no discard
    return part.path


def test_a_crashed_part_resumes_from_its_last_checkpoint(tmp_path: Path) -> None:
    area = StagingArea(tmp_path, checkpoint_bytes=4)
    path = _crashed_part(tmp_path, [b"hello ", b"wor"])  # checkpoint at 6 bytes, 3 more unrecorded
    assert path.stat().st_size == 9
    with area.open_part("acme", KEY) as part:
        assert part.resumed_from == part.written == 6
        assert path.stat().st_size == 6  # the unrecorded tail is cut off
        part.write(b"world")
        assert part.hexdigest() == hashlib.sha256(b"hello world").hexdigest()
        part.seal()
        final = part.promote(ID)
    assert final.read_bytes() == b"hello world"
    assert sorted(p.name for p in final.parent.iterdir()) == [ID]  # checkpoint gone too


def test_a_prefix_that_no_longer_matches_its_checkpoint_restarts_from_zero(tmp_path: Path) -> None:
    area = StagingArea(tmp_path, checkpoint_bytes=4)
    path = _crashed_part(tmp_path, [b"hello ", b"wor"])
    with path.open("r+b") as damaged:
        damaged.write(b"J")
    with area.open_part("acme", KEY) as part:
        assert part.resumed_from == part.written == 0
        assert path.stat().st_size == 0
        part.write(b"hello world")
        assert part.hexdigest() == hashlib.sha256(b"hello world").hexdigest()


def test_a_part_shorter_than_its_checkpoint_restarts_from_zero(tmp_path: Path) -> None:
    area = StagingArea(tmp_path, checkpoint_bytes=4)
    path = _crashed_part(tmp_path, [b"hello ", b"wor"])
    os.truncate(path, 5)
    with area.open_part("acme", KEY) as part:
        assert part.resumed_from == 0


def test_another_version_of_the_remote_file_gets_another_part(tmp_path: Path) -> None:
    assert part_key("acme", "/inbound/a.x12", 11, 1700000001) != KEY
    assert part_key("acme", "/inbound/a.x12", 12, 1700000000) != KEY
    assert part_key("beta", "/inbound/a.x12", 11, 1700000000) != KEY
    area = StagingArea(tmp_path, checkpoint_bytes=4)
    _crashed_part(tmp_path, [b"hello "])
    other = part_key("acme", "/inbound/a.x12", 11, 1700000001)
    with area.open_part("acme", other) as part:
        assert part.resumed_from == 0


def test_prune_keeps_listed_and_open_parts_only(tmp_path: Path) -> None:
    area = StagingArea(tmp_path, checkpoint_bytes=4)
    gone = part_key("acme", "/inbound/gone.x12", 1, 1)
    _crashed_part(tmp_path, [b"hello "], key=gone)
    _crashed_part(tmp_path, [b"hello "])
    busy = area.open_part("acme", "f" * 40)
    assert area.prune("acme", keep={KEY}) == 1
    names = sorted(p.name for p in area.partner_dir("acme").iterdir())
    assert names == sorted([KEY + PART_SUFFIX, KEY + CHECKPOINT_SUFFIX, "f" * 40 + PART_SUFFIX])
    busy.discard()
    assert area.prune("acme", keep=set()) == 1
    assert list(area.partner_dir("acme").iterdir()) == []


def test_room_needs_twice_the_size_plus_reserve_and_counts_claims(tmp_path: Path) -> None:
    area = StagingArea(tmp_path, reserve_bytes=100, disk_free=lambda _: 1000)
    with contextlib.ExitStack() as held:
        held.enter_context(area.room_for("acme", 450))  # 900 + 100 = 1000: just fits
        refused = r"acme.*100 bytes free.*a 10-byte file needs 120"
        with pytest.raises(StagingFullError, match=refused), area.room_for("acme", 10):
            pass
    with area.room_for("acme", 450):  # released again
        pass


def test_disk_full_while_writing_is_staging_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    area = StagingArea(tmp_path)

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with area.open_part("acme", KEY) as part:
        monkeypatch.setattr(os, "write", full)
        with pytest.raises(StagingFullError):
            part.write(b"data")
