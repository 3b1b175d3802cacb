"""What the service does on a partner's SFTP server besides downloading: list and dispose.

Remote names and paths are partner-supplied and often carry member or claim identifiers: they
go into no log line, exception message or span attribute.
"""

from __future__ import annotations

import stat
from posixpath import join

import asyncssh

from edimesh.transfer.completeness import RemoteEntry
from edimesh.transfer.download import ReadPlan, download
from edimesh.transfer.errors import DisposeFailedError, RemoteFileUnreadableError
from edimesh.transfer.link import CONNECTION_FAILURES, PartnerLink
from edimesh.transfer.partners import Partner
from edimesh.transfer.ports import Part


async def list_files(sftp: asyncssh.SFTPClient, directory: str) -> list[RemoteEntry]:
    """Regular files directly in `directory`."""
    try:
        names = await sftp.readdir(directory)
    except asyncssh.SFTPError as exc:
        if isinstance(exc, CONNECTION_FAILURES):
            raise
        raise RemoteFileUnreadableError(
            f"cannot list the inbound directory ({type(exc).__name__})"
        ) from None
    entries = []
    for name in names:
        attrs = name.attrs
        if attrs.permissions is None or not stat.S_ISREG(attrs.permissions):
            continue
        if attrs.size is None or not isinstance(name.filename, str):
            continue
        entries.append(RemoteEntry(name.filename, attrs.size, int(attrs.mtime or 0)))
    return entries


async def dispose(sftp: asyncssh.SFTPClient, partner: Partner, name: str, file_id: str) -> None:
    """Archive (or delete) an inbound file whose content is staged and published."""
    source = join(partner.inbound_dir, name)
    try:
        if partner.archive_dir is None:
            await sftp.remove(source)
            return
        target = join(partner.archive_dir, name)
        if await sftp.exists(target):
            # The same name was archived before: keep both, told apart by content. A file of
            # that name and content is already there, so overwriting it loses nothing.
            await sftp.posix_rename(source, f"{target}.{file_id[:16]}")
        else:
            await sftp.rename(source, target)
    except asyncssh.SFTPError as exc:
        if isinstance(exc, CONNECTION_FAILURES):
            raise
        where = "archive" if partner.archive_dir else "delete"
        raise DisposeFailedError(
            f"partner {partner.name!r}: cannot {where} a staged file ({type(exc).__name__}); "
            "it will be staged again, found in the ledger, and disposed next poll"
        ) from None


class SftpSource:
    """The handler's `Source` over a partner link: every call survives reconnects."""

    def __init__(self, partner: Partner, link: PartnerLink, plan: ReadPlan):
        self.partner = partner
        self._link = link
        self._plan = plan

    def abort(self) -> None:
        """Abandon everything in flight on this partner's connection."""
        self._link.abort()

    async def list(self) -> list[RemoteEntry]:
        return await self._link.run(lambda sftp: list_files(sftp, self.partner.inbound_dir))

    async def fetch(self, entry: RemoteEntry, part: Part) -> str:
        path = join(self.partner.inbound_dir, entry.name)
        return await download(self._link, path, entry.size, part, self._plan)

    async def dispose(self, entry: RemoteEntry, file_id: str) -> None:
        await self._link.run(lambda sftp: dispose(sftp, self.partner, entry.name, file_id))
