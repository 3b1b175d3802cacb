"""The staging area: `<root>/<partner>/<id>.part` while downloading, `<root>/<partner>/<sha256>`
once complete. Directories are 0750 and files 0640 whatever the umask.

A `.part` name never looks complete: only `PartFile.promote` gives a file its final name, after
fsync, by an atomic rename within the same directory, then fsyncs the directory too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from edimesh.transfer.errors import StagingFullError

DIR_MODE = 0o750
FILE_MODE = 0o640
PART_SUFFIX = ".part"

DiskFree = Callable[[Path], int]


def disk_free(path: Path) -> int:
    return shutil.disk_usage(path).free


class StagingArea:
    def __init__(self, root: Path, reserve_bytes: int = 0, disk_free: DiskFree = disk_free):
        self.root = root
        self._reserve = reserve_bytes
        self._disk_free = disk_free
        self._claimed = 0  # bytes promised to downloads in flight

    def partner_dir(self, partner: str) -> Path:
        path = self.root / partner
        for directory in (self.root, path):
            directory.mkdir(mode=DIR_MODE, exist_ok=True)
            directory.chmod(DIR_MODE)
        return path

    def sweep(self, partner: str) -> int:
        """Delete `.part` files left by a previous run; returns how many."""
        removed = 0
        for leftover in self.partner_dir(partner).glob(f"*{PART_SUFFIX}"):
            leftover.unlink(missing_ok=True)
            removed += 1
        return removed

    @contextlib.contextmanager
    def room_for(self, partner: str, size: int) -> Iterator[None]:
        """Hold 2 x `size` of the free space while a download runs, or raise StagingFullError."""
        needed = 2 * size
        free = self._disk_free(self.partner_dir(partner)) - self._claimed
        if free < needed + self._reserve:
            raise StagingFullError(
                f"partner {partner!r}: staging has {max(free, 0)} bytes free for new files; "
                f"a {size}-byte file needs {needed + self._reserve} "
                f"(2 x its size + {self._reserve} reserved). Free space in {self.root}"
            )
        self._claimed += needed
        try:
            yield
        finally:
            self._claimed -= needed

    def open_part(self, partner: str) -> PartFile:
        path = self.partner_dir(partner) / f"{uuid.uuid4().hex}{PART_SUFFIX}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
        os.fchmod(fd, FILE_MODE)
        return PartFile(path, fd)


class PartFile:
    """A file being downloaded. Use it as a context manager: it is discarded unless promoted."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd: int | None = fd
        self.written = 0

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                count = os.write(self._require_fd(), view)
                view = view[count:]
                self.written += count
        except OSError as exc:
            if exc.errno in {errno.ENOSPC, errno.EDQUOT}:
                raise StagingFullError("staging filled up during a download") from None
            raise

    def seal(self) -> None:
        """Check the size on disk, fsync and close: the bytes are durable."""
        fd = self._require_fd()
        if os.fstat(fd).st_size != self.written:
            raise OSError(errno.EIO, "staged file size differs from the bytes written")
        os.fsync(fd)
        self._fd = None
        os.close(fd)

    def promote(self, final_name: str) -> Path:
        """Atomically give the sealed file its final name, durably."""
        if self._fd is not None:
            raise RuntimeError("seal() before promote()")
        final = self.path.with_name(final_name)
        self.path.replace(final)
        self.path = final
        _fsync_dir(final.parent)
        return final

    def discard(self) -> None:
        """Close and delete, unless promoted; idempotent."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)
        if self.path.name.endswith(PART_SUFFIX):
            self.path.unlink(missing_ok=True)

    def _require_fd(self) -> int:
        if self._fd is None:
            raise RuntimeError("part file is closed")
        return self._fd

    def __enter__(self) -> PartFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
