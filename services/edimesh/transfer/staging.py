"""The staging area: `<root>/<partner>/<key>.part` while downloading, `<root>/<partner>/<sha256>`
once complete. Directories are 0750 and files 0640 whatever the umask.

A `.part` name never looks complete: only `PartFile.promote` gives a file its final name, after
fsync, by an atomic rename within the same directory, then fsyncs the directory too.

Crash resume: `<key>` is derived from the partner, the remote path and the remote size and
mtime (`part_key`), so a process that restarts after a crash finds the part file of the same
remote file, and a remote file that changed gets a new key (its old part is pruned). While
writing, every `checkpoint_bytes` the part file is fdatasync'ed and `<key>.ckpt` records the
durable length and the sha256 of that prefix. Reopening re-hashes the prefix and resumes only if
it matches the checkpoint (then truncates to it); anything else restarts from byte 0.

A download abandoned while running (retries used up, SIGTERM) calls `PartFile.keep`: the part
is fdatasync'ed and checkpointed at its last good offset, so the next poll or process resumes
there too. A kept part still never gets a final name, and `prune` deletes it once its remote file
changes or vanishes.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import errno
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from edimesh.transfer.errors import StagingFullError

DIR_MODE = 0o750
FILE_MODE = 0o640
PART_SUFFIX = ".part"
CHECKPOINT_SUFFIX = ".ckpt"
DEFAULT_CHECKPOINT_BYTES = 64 * 1024 * 1024
_REHASH_CHUNK = 1024 * 1024
_CHECKPOINT_VERSION = 1

DiskFree = Callable[[Path], int]
# One thread makes every part file's checkpoints, off the event loop.
_CHECKPOINTER = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="edimesh-ckpt")


def disk_free(path: Path) -> int:
    return shutil.disk_usage(path).free


def part_key(partner: str, remote_path: str, size: int, mtime: int) -> str:
    """The part file's name for one version of a remote file. A digest: remote names carry
    member and claim identifiers, and a changed size or mtime must not match."""
    identity = "\0".join((partner, remote_path, str(size), str(mtime)))
    return hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:40]


class StagingArea:
    def __init__(
        self,
        root: Path,
        reserve_bytes: int = 0,
        disk_free: DiskFree = disk_free,
        checkpoint_bytes: int = DEFAULT_CHECKPOINT_BYTES,
    ):
        self.root = root
        self._reserve = reserve_bytes
        self._disk_free = disk_free
        self._checkpoint_bytes = checkpoint_bytes
        self._claimed = 0  # bytes promised to downloads in flight
        self._open: set[Path] = set()  # part files of this process's downloads in flight

    def partner_dir(self, partner: str) -> Path:
        path = self.root / partner
        for directory in (self.root, path):
            directory.mkdir(mode=DIR_MODE, exist_ok=True)
            directory.chmod(DIR_MODE)
        return path

    def sweep(self, partner: str) -> int:
        """At start: delete what a previous run left that cannot be resumed (a part without a
        checkpoint, a checkpoint without its part, a torn checkpoint write); returns how many."""
        directory = self.partner_dir(partner)
        removed = 0
        pairs = {PART_SUFFIX: CHECKPOINT_SUFFIX, CHECKPOINT_SUFFIX: PART_SUFFIX}
        for leftover in directory.iterdir():
            suffix = leftover.suffix
            if suffix in pairs:
                orphan = not leftover.with_suffix(pairs[suffix]).exists()
            else:
                orphan = suffix == ".tmp"
            if orphan:
                leftover.unlink(missing_ok=True)
                removed += 1
        return removed

    def prune(self, partner: str, keep: set[str]) -> int:
        """Delete resumable parts whose key is not in `keep` (the remote file is gone or has
        changed) and that no download of ours has open; returns how many."""
        removed = 0
        for part in self.partner_dir(partner).glob(f"*{PART_SUFFIX}"):
            key = part.name[: -len(PART_SUFFIX)]
            if key in keep or part in self._open:
                continue
            part.unlink(missing_ok=True)
            part.with_name(key + CHECKPOINT_SUFFIX).unlink(missing_ok=True)
            removed += 1
        return removed

    @contextlib.contextmanager
    def room_for(self, partner: str, size: int, key: str | None = None) -> Iterator[None]:
        """Hold 2 x `size` of the free space while a download runs, or raise StagingFullError.
        The bytes of `key`'s part file already on disk are already taken from the free space:
        only what is left to fetch is claimed (open_part frees them again if it cannot resume)."""
        held = self._part_bytes(partner, key, size) if key is not None else 0
        needed = 2 * size - held
        free = self._disk_free(self.partner_dir(partner)) - self._claimed
        if free < needed + self._reserve:
            kept = f", less {held} already in its part file" if held else ""
            raise StagingFullError(
                f"partner {partner!r}: staging has {max(free, 0)} bytes free for new files; "
                f"a {size}-byte file needs {needed + self._reserve} "
                f"(2 x its size + {self._reserve} reserved{kept}). Free space in {self.root}"
            )
        self._claimed += needed
        try:
            yield
        finally:
            self._claimed -= needed

    def _part_bytes(self, partner: str, key: str, size: int) -> int:
        try:
            on_disk = (self.partner_dir(partner) / f"{key}{PART_SUFFIX}").stat().st_size
        except FileNotFoundError:
            return 0
        return min(on_disk, size)

    def open_part(self, partner: str, key: str) -> PartFile:
        """The part file for `key`: resumed from its checkpoint when the prefix on disk still
        hashes to it, otherwise empty. Re-hashing reads the prefix once (blocking)."""
        path = self.partner_dir(partner) / f"{key}{PART_SUFFIX}"
        checkpoint = path.with_name(key + CHECKPOINT_SUFFIX)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            hasher, offset = _resume_point(fd, checkpoint)
            os.ftruncate(fd, offset)
            os.lseek(fd, offset, os.SEEK_SET)
        except BaseException:
            os.close(fd)
            raise
        part = PartFile(
            path,
            fd,
            hasher=hasher,
            offset=offset,
            checkpoint_bytes=self._checkpoint_bytes,
            on_release=self._open.discard,
        )
        self._open.add(path)
        return part


def _resume_point(fd: int, checkpoint: Path) -> tuple[Any, int]:
    """(sha256 of the verified prefix, its length); (empty, 0) when nothing can be trusted."""
    fresh = hashlib.sha256()
    try:
        recorded = json.loads(checkpoint.read_text(encoding="ascii"))
        offset, digest = recorded["offset"], recorded["sha256"]
        valid = recorded.get("v") == _CHECKPOINT_VERSION and isinstance(offset, int)
    except (OSError, ValueError, KeyError, TypeError):
        return fresh, 0
    if not valid or offset <= 0 or offset > os.fstat(fd).st_size:
        return fresh, 0
    hasher = hashlib.sha256()
    position = 0
    while position < offset:
        chunk = os.pread(fd, min(_REHASH_CHUNK, offset - position), position)
        if not chunk:
            return fresh, 0
        hasher.update(chunk)
        position += len(chunk)
    if hasher.hexdigest() != digest:
        return fresh, 0  # a torn or altered prefix: start over
    return hasher, offset


class PartFile:
    """A file being downloaded, and the sha256 of the bytes [0, written). Use it as a context
    manager: it is discarded unless promoted. Not thread-safe: one writer at a time."""

    def __init__(
        self,
        path: Path,
        fd: int,
        *,
        hasher: Any = None,
        offset: int = 0,
        checkpoint_bytes: int = DEFAULT_CHECKPOINT_BYTES,
        on_release: Callable[[Path], None] | None = None,
    ):
        self.path = path
        self._fd: int | None = fd
        self._hasher = hasher if hasher is not None else hashlib.sha256()
        self.written = offset
        self.resumed_from = offset  # bytes kept from a previous run (0: a fresh download)
        self._checkpoint_bytes = checkpoint_bytes
        self._next_checkpoint = offset + checkpoint_bytes
        self._on_release = on_release
        self._pending: concurrent.futures.Future[None] | None = None
        self._kept = False

    @property
    def checkpoint_path(self) -> Path:
        return self.path.with_name(self.path.name.removesuffix(PART_SUFFIX) + CHECKPOINT_SUFFIX)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data)
        try:
            while view:
                count = os.write(self._require_fd(), view)
                self._hasher.update(view[:count])
                view = view[count:]
                self.written += count
        except OSError as exc:
            if exc.errno in {errno.ENOSPC, errno.EDQUOT}:
                raise StagingFullError("staging filled up during a download") from None
            raise
        if self.written >= self._next_checkpoint:
            self._checkpoint()

    def hexdigest(self) -> str:
        """The sha256 of everything written so far (the resumed prefix included)."""
        return str(self._hasher.hexdigest())

    def _checkpoint(self) -> None:
        """Record [0, written) for a later resume, in the background: writes go on meanwhile.
        Skipped while the previous checkpoint is still being made."""
        if self._pending is not None:
            if not self._pending.done():
                return
            self._pending.exception()  # a failed checkpoint only costs resumability
        self._pending = _CHECKPOINTER.submit(self._persist, self._require_fd(), self._record())
        self._next_checkpoint = self.written + self._checkpoint_bytes

    def _record(self) -> dict[str, object]:
        return {"v": _CHECKPOINT_VERSION, "offset": self.written,
                "sha256": self._hasher.copy().hexdigest()}  # fmt: skip

    def _persist(self, fd: int | None, record: dict[str, object]) -> None:
        # fdatasync covers every byte written before it started, so the prefix the record names
        # is durable before the record is. No descriptor: sealed, so already fsync'ed.
        if fd is not None:
            os.fdatasync(fd)
        target = self.checkpoint_path
        temporary = target.with_name(target.name + ".tmp")
        out = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, FILE_MODE)
        try:
            os.write(out, json.dumps(record).encode("ascii"))
            os.fsync(out)
        finally:
            os.close(out)
        temporary.replace(target)  # atomic: a crash leaves the old or the new checkpoint

    def wait_checkpoint(self) -> None:
        """Block until the checkpoint being made, if any, is done (it uses the descriptor)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            concurrent.futures.wait([pending])
            if not pending.cancelled():
                pending.exception()

    def seal(self) -> None:
        """Check the size on disk, fsync and close: the bytes are durable."""
        fd = self._require_fd()
        if os.fstat(fd).st_size != self.written:
            raise OSError(errno.EIO, "staged file size differs from the bytes written")
        os.fsync(fd)
        self._close()

    def promote(self, final_name: str) -> Path:
        """Atomically give the sealed file its final name, durably."""
        if self._fd is not None:
            raise RuntimeError("seal() before promote()")
        checkpoint = self.checkpoint_path
        final = self.path.with_name(final_name)
        self.path.replace(final)
        self._release()
        self.path = final
        checkpoint.unlink(missing_ok=True)
        _fsync_dir(final.parent)
        return final

    def keep(self) -> bool:
        """Abandon the download but leave the part file resumable: make [0, written) durable,
        checkpoint it and close. False (nothing kept) when there is nothing worth resuming or
        the checkpoint cannot be written; the caller then discards. Blocks on fdatasync: it
        runs only when a download is given up, not per block."""
        if self._kept or not self.path.name.endswith(PART_SUFFIX) or self.written == 0:
            return self._kept
        self.wait_checkpoint()
        try:
            self._persist(self._fd, self._record())
        except OSError:
            return False
        self._kept = True
        self._close()
        self._release()  # no longer in flight: prune may delete it if the remote file changes
        return True

    def discard(self) -> None:
        """Close and delete (with its checkpoint), unless promoted or kept; idempotent."""
        self._close()
        if self.path.name.endswith(PART_SUFFIX) and not self._kept:
            self.checkpoint_path.unlink(missing_ok=True)
            self.path.unlink(missing_ok=True)
            self._release()

    def _close(self) -> None:
        self.wait_checkpoint()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def _release(self) -> None:
        if self._on_release is not None:  # sealed but not promoted yet still counts as open
            self._on_release(self.path)

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
