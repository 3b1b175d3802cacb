"""Partner accounts for a local sshd: a locked-out Unix user whose home is its chroot.

OpenSSH insists that every component of a chroot and of the authorized-keys path is root-owned
and not group/other-writable, so all of it lives under a root-owned base (never /tmp). useradd
creates accounts locked with '!', which `UsePAM no` refuses even for public keys, so the
password field is '*' (no password, not locked).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from edimesh.localsftp.errors import SshdError

_LOCK_RETRIES = 20  # useradd fails while another process holds /etc/passwd's lock
_LOCK_WAIT_S = 0.1


@dataclass(frozen=True, slots=True)
class Account:
    user: str
    home: Path  # the chroot: root-owned, 0755
    inbound: Path  # "/inbound" on the server, writable by the user
    archive: Path  # "/archive" on the server, writable by the user


def ensure_group(group: str) -> None:
    getent = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [_tool("getent"), "group", group], capture_output=True, check=False
    )
    if getent.returncode:
        _admin(["groupadd", group])


def create_account(user: str, group: str, chroot_root: Path) -> Account:
    home = chroot_root / user
    _admin(
        ["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
         "--gid", group, "--password", "*", user]
    )  # fmt: skip
    home.mkdir(mode=0o755, parents=True, exist_ok=True)
    home.chmod(0o755)
    account = Account(user, home, home / "inbound", home / "archive")
    for directory in (account.inbound, account.archive):
        directory.mkdir(mode=0o755, exist_ok=True)
        shutil.chown(directory, user, group)
    return account


def delete_account(user: str) -> None:
    _admin(["userdel", "--force", user], missing_ok=True)


def delete_group(group: str) -> None:
    _admin(["groupdel", group], missing_ok=True)


def sweep_stale_accounts(prefix: str, base: Path) -> list[str]:
    """Delete accounts named `prefix`* whose home under `base` is gone (a killed session)."""
    removed = []
    for line in Path("/etc/passwd").read_text(encoding="utf-8").splitlines():
        fields = line.split(":")
        if len(fields) < 6 or not fields[0].startswith(prefix):
            continue
        home = Path(fields[5])
        if home.is_relative_to(base) and not home.exists():
            delete_account(fields[0])
            removed.append(fields[0])
    return removed


def _admin(command: list[str], *, missing_ok: bool = False) -> None:
    argv = [_tool(command[0]), *command[1:]]
    for _ in range(_LOCK_RETRIES):
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            argv, capture_output=True, text=True, check=False
        )
        if result.returncode == 0:
            return
        message = result.stderr.strip()
        if missing_ok and "does not exist" in message:
            return
        if "lock" not in message:
            break
        time.sleep(_LOCK_WAIT_S)
    raise SshdError(f"{command[0]} failed: {message}")


def _tool(name: str) -> str:
    found = shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if found is None:
        raise SshdError(f"{name} not found (Debian's passwd package provides it)")
    return found
