"""The download loop over a fake SFTP server and a real part file: order, short reads, resume."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from edimesh.transfer.download import ReadPlan, _fetch
from edimesh.transfer.errors import RemoteFileChangedError
from edimesh.transfer.staging import StagingArea, part_key

KEY = part_key("acme", "/inbound/a.x12", 1, 1)
DATA = os.urandom(300_000)


class FakeFile:
    """Serves `data`, at most `cap` bytes per read (as a server may), recording each read."""

    def __init__(self, data: bytes, cap: int):
        self.data = data
        self.cap = cap
        self.reads: list[tuple[int, int]] = []

    async def read(self, size: int, offset: int) -> bytes:
        self.reads.append((offset, size))
        return self.data[offset : offset + min(size, self.cap)]

    async def stat(self) -> Any:
        return SimpleNamespace(size=len(self.data))

    async def close(self) -> None:
        pass


class FakeSftp:
    def __init__(self, file: FakeFile):
        self.file = file
        self.limits = SimpleNamespace(max_read_len=32768)

    async def open(self, path: str, mode: str, block_size: int) -> FakeFile:
        assert block_size == 0  # one request per read: the pipelining is ours
        return self.file


async def _run(sftp: FakeSftp, size: int, part: Any, block: int = 0) -> None:
    await _fetch(sftp, "/inbound/a.x12", size, part, plan=ReadPlan(block, 4))  # type: ignore[arg-type]


async def test_short_reads_are_completed_and_bytes_stay_in_order(tmp_path: Path) -> None:
    sftp = FakeSftp(FakeFile(DATA, cap=10_000))
    with StagingArea(tmp_path).open_part("acme", KEY) as part:
        await _run(sftp, len(DATA), part)
        assert part.written == len(DATA)
        assert part.hexdigest() == hashlib.sha256(DATA).hexdigest()
        part.seal()
        assert part.path.read_bytes() == DATA


async def test_a_resumed_part_fetches_only_the_rest(tmp_path: Path) -> None:
    crashed = StagingArea(tmp_path, checkpoint_bytes=100_000).open_part("acme", KEY)
    crashed.write(DATA[:150_000])  # checkpointed at 150 000
    crashed.wait_checkpoint()
    os.close(crashed._require_fd())
    file = FakeFile(DATA, cap=len(DATA))
    with StagingArea(tmp_path).open_part("acme", KEY) as part:
        assert part.resumed_from == 150_000
        await _run(FakeSftp(file), len(DATA), part)
        assert min(offset for offset, _ in file.reads) == 150_000
        assert part.hexdigest() == hashlib.sha256(DATA).hexdigest()


async def test_a_file_shorter_than_listed_is_a_changed_file(tmp_path: Path) -> None:
    sftp = FakeSftp(FakeFile(DATA[:100_000], cap=len(DATA)))
    with StagingArea(tmp_path).open_part("acme", KEY) as part:
        with pytest.raises(RemoteFileChangedError):
            await _run(sftp, len(DATA), part)
        assert part.written <= 100_000


async def test_after_a_failed_write_no_later_block_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sftp = FakeSftp(FakeFile(DATA, cap=len(DATA)))
    with StagingArea(tmp_path).open_part("acme", KEY) as part:
        real_write = os.write
        calls = 0

        def failing_second(fd: int, data: Any) -> int:
            nonlocal calls
            calls += 1
            if calls == 2:
                raise OSError(5, "I/O error")
            return real_write(fd, data)

        monkeypatch.setattr(os, "write", failing_second)
        with pytest.raises(OSError, match="I/O error"):
            await _run(sftp, len(DATA), part, block=50_000)
        monkeypatch.undo()
        assert part.written == 50_000  # the first block only: nothing after the gap
        assert part.hexdigest() == hashlib.sha256(DATA[:50_000]).hexdigest()
