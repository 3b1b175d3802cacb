"""The transfer service's errors, each under the edimesh root class that fixes its route.

Messages name the partner and what to fix; never a remote path or file name (they carry member
and claim identifiers).
"""

from __future__ import annotations

from edimesh.errors import AuthError, TransientError


class HostKeyRejectedError(AuthError):
    """The server's host key is not trusted by the partner's known_hosts file."""


class CredentialsRejectedError(AuthError):
    """The server refused our public key for the partner's user."""


class AlgorithmsRefusedError(AuthError):
    """The server offers none of the allowed algorithms: it is weaker than our policy."""


class LinkLostError(TransientError):
    """The connection dropped, timed out or was refused."""


class RemoteFileChangedError(TransientError):
    """The remote file vanished or changed size while it was being downloaded."""


class StagingFullError(TransientError):
    """Not enough free space in the staging area for the file (2 x its size plus reserve)."""


class RetriesExhaustedError(TransientError):
    """Reconnect attempts for one operation are exhausted; the file is tried again next poll."""


class DisposeFailedError(TransientError):
    """The remote file could not be archived or deleted after its event was published."""


class RemoteFileUnreadableError(TransientError):
    """The server refused to open or read the file (permissions, a directory, ...)."""
