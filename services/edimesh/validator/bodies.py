"""The bytes of a by-reference set: a slice of a staged file, checked against its sha256.

A missing file, a path outside the staging root, a short read or a digest mismatch is fatal
(the set is dead-lettered); an I/O error is transient (retried, then dead-lettered). Messages
never name the path or the URI.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from edimesh.errors import FatalError, TransientError
from edimesh.mesh import messages
from edimesh.mesh.staging import resolve_staged


class BodyFetchError(FatalError):
    """The referenced bytes are not there, or not the bytes the splitter referenced."""


class BodyReadError(TransientError):
    """Reading the staged file failed; it may work on a retry."""


def fetch_body(ref: messages.BodyRef, root: Path) -> bytes:
    """Read `ref` from the staging area (blocking: run it in a thread)."""
    path = resolve_staged(ref["staging_uri"], root)
    if ref["byte_offset"] < 0 or ref["length"] < 0:
        raise BodyFetchError("the body reference has a negative offset or length")
    try:
        with path.open("rb") as handle:
            handle.seek(ref["byte_offset"])
            data = handle.read(ref["length"])
    except FileNotFoundError:
        raise BodyFetchError("the staged file of a by-reference body does not exist") from None
    except IsADirectoryError:
        raise BodyFetchError("the staged path of a by-reference body is not a file") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise BodyReadError(f"reading a by-reference body failed ({reason})") from None
    if len(data) != ref["length"]:
        raise BodyFetchError("the staged file is shorter than the body reference")
    if hashlib.sha256(data).hexdigest() != ref["sha256"].lower():
        raise BodyFetchError("the by-reference body does not match its sha256")
    return data
