"""The partner side of a local run: the partners file for transfer, and feeding the inbox.

Files go under a `.part` name renamed when complete, so the transfer takes each file at once
(its rename convention): written straight into the embedded server's folder, or uploaded to a
real server with the same hardened client the transfer uses.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from edimesh.errors import ConfigError
from edimesh.local.samples import SampleFile
from edimesh.local.sftpd import SftpCredentials
from edimesh.transfer.partners import Partner, RenameConvention
from edimesh.transfer.sshclient import LinkOptions, connect

PARTNER = "local"
TEMP_SUFFIX = ".part"
MAX_INBOX_FILES = 10_000


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One file to upload: its remote name and where its bytes come from."""

    name: str
    path: Path | None = None
    sample: SampleFile | None = None

    @property
    def after_previous(self) -> bool:
        return self.sample is not None and self.sample.after_previous

    def read(self) -> bytes:
        if self.path is not None:
            return self.path.read_bytes()
        assert self.sample is not None  # one of the two is always set
        return self.sample.render()


def partner_for(
    creds: SftpCredentials, inbound_dir: str, archive_dir: str, poll_interval_s: float = 0.5
) -> Partner:
    """The one partner of a local run; ConfigError naming the field (e.g. a key not 0600)."""
    try:
        return Partner(
            name=PARTNER,
            host=creds.host,
            port=creds.port,
            user=creds.user,
            private_key=creds.private_key,
            known_hosts=creds.known_hosts,
            inbound_dir=inbound_dir,
            archive_dir=archive_dir,
            poll_interval_s=poll_interval_s,
            max_parallel_files=2,
            rename_convention=RenameConvention(temporary_suffix=TEMP_SUFFIX),
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)
        )
        raise ConfigError(f"SFTP partner settings: {problems}") from None


def partners_toml(partner: Partner) -> str:
    """The transfer's partners file for one partner (values are ours: paths, ints, names)."""
    lines = ["[[partners]]"]
    for key, value in partner.model_dump(mode="json", exclude_none=True).items():
        if key == "rename_convention":
            continue
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int | float):
            lines.append(f"{key} = {value}")
        else:
            lines.append(f"{key} = {_toml_string(str(value))}")
    if partner.temporary_suffix:
        suffix = _toml_string(partner.temporary_suffix)
        lines.append(f"rename_convention = {{ temporary_suffix = {suffix} }}")
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def inbox_items(inbox: Path) -> list[FeedItem]:
    """The regular files directly in `inbox` (dot-files skipped), one per distinct content:
    the transfer stages each content once, so a copy would never be counted."""
    if not inbox.is_dir():
        raise ConfigError(f"--inbox {inbox}: not a folder")
    seen: set[str] = set()
    items: list[FeedItem] = []
    for path in sorted(inbox.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        items.append(FeedItem(_safe_name(path.name, len(items)), path=path))
        if len(items) > MAX_INBOX_FILES:
            raise ConfigError(f"--inbox {inbox}: more than {MAX_INBOX_FILES} files")
    if not items:
        raise ConfigError(f"--inbox {inbox}: no files")
    return items


def _safe_name(name: str, index: int) -> str:
    clean = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    if clean.endswith(TEMP_SUFFIX):
        clean += ".x12"  # would look like an upload in progress forever
    return clean or f"file-{index:05d}"


def sample_items(samples: Iterable[SampleFile]) -> Iterator[FeedItem]:
    return (FeedItem(sample.name, sample=sample) for sample in samples)


async def place(
    inbound: Path,
    items: Iterable[FeedItem],
    before: Callable[[FeedItem, int], Awaitable[None]] | None = None,
) -> int:
    """Write every item into a local inbound folder (the embedded server's), under the
    temporary name first; no SSH round trip for bytes that are already on this machine."""
    count = 0
    for item in items:
        if before is not None:
            await before(item, count)
        await asyncio.to_thread(_write_atomically, inbound / item.name, item)
        count += 1
    return count


def _write_atomically(final: Path, item: FeedItem) -> None:
    temporary = final.with_name(final.name + TEMP_SUFFIX)
    temporary.write_bytes(item.read())
    temporary.rename(final)


async def upload(
    partner: Partner,
    items: Iterable[FeedItem],
    before: Callable[[FeedItem, int], Awaitable[None]] | None = None,
) -> int:
    """Upload every item to the partner's inbound folder; the number uploaded. `before`
    is awaited before each item with the number uploaded so far."""
    session = await connect(partner, LinkOptions(30.0, 15.0, 3))
    count = 0
    try:
        for item in items:
            if before is not None:
                await before(item, count)
            final = f"{partner.inbound_dir}/{item.name}"
            temporary = final + TEMP_SUFFIX
            async with session.sftp.open(temporary, "wb") as remote:
                await remote.write(item.read())
            await session.sftp.rename(temporary, final)
            count += 1
    finally:
        session.connection.close()
        await session.connection.wait_closed()
    return count
