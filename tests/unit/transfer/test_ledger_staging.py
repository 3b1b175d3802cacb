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
from edimesh.transfer.staging import StagingArea

ID = hashlib.sha256(b"x").hexdigest()


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
    with area.open_part("acme") as part:
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
    with area.open_part("acme") as part:
        part.write(b"half")
        raise RuntimeError("download failed")


def test_an_unpromoted_part_is_deleted(tmp_path: Path) -> None:
    area = StagingArea(tmp_path)
    with pytest.raises(RuntimeError):
        _fail_halfway(area)
    assert list((tmp_path / "acme").iterdir()) == []


def test_sweep_removes_leftover_parts_only(tmp_path: Path) -> None:
    area = StagingArea(tmp_path)
    directory = area.partner_dir("acme")
    (directory / "abc.part").write_bytes(b"x")
    (directory / ID).write_bytes(b"x")
    assert area.sweep("acme") == 1
    assert [p.name for p in directory.iterdir()] == [ID]


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

    with area.open_part("acme") as part:
        monkeypatch.setattr(os, "write", full)
        with pytest.raises(StagingFullError):
            part.write(b"data")
