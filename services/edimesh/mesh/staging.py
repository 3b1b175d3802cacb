"""From a staging `file://` URI (FileStaged, BodyRef) to a path a service may read, or a refusal.

Staged files are named by their sha256 and never by partner-supplied names, but the URI still
comes from a message: it must be a local `file://` URI whose resolved path (symlinks followed)
lies under the configured staging root. Error messages never repeat the URI or the path.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from edimesh.errors import FatalError, TransientError


class StagedFileError(FatalError):
    """The staged file cannot be used: dead-letter the FileStaged event, go on."""


class StagingUriError(StagedFileError):
    """The URI is not a file:// URI under the staging root."""


class StagedFileMissingError(StagedFileError):
    """No regular file at the staged path (deleted, or never there)."""


class StagedFileMismatchError(StagedFileError):
    """The file's size differs from the size the transfer service staged."""


class StagedFileUnreadableError(TransientError):
    """Reading failed (I/O error, permissions being fixed): retried, then dead-lettered."""


def resolve_staged(uri: str, root: Path) -> Path:
    """The path of `uri`, checked to lie under `root` (both resolved)."""
    parts = urlsplit(uri)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
        raise StagingUriError("staging_uri is not a local file:// URI")
    raw = unquote(parts.path)
    if not raw.startswith("/") or "\x00" in raw:
        raise StagingUriError("staging_uri does not name an absolute path")
    path = Path(raw).resolve()
    if not path.is_relative_to(root.resolve()):
        raise StagingUriError("staging_uri points outside the staging root")
    return path


def check_staged(path: Path, size_bytes: int) -> None:
    """The staged file exists, is a regular file and has the announced size."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise StagedFileMissingError("the staged file does not exist") from None
    except PermissionError:
        raise StagedFileUnreadableError("the staged file cannot be accessed (permission)") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StagedFileUnreadableError(f"the staged file cannot be accessed ({reason})") from None
    if not path.is_file():
        raise StagedFileMissingError("the staged path is not a regular file")
    if stat.st_size != size_bytes:
        raise StagedFileMismatchError(
            f"the staged file has {stat.st_size} bytes, the FileStaged event says {size_bytes}"
        )
