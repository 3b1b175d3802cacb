"""Run OpenSSH's sshd in the foreground on a local port, from a rendered template."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Self

from edimesh.localbroker import free_ports
from edimesh.localsftp import accounts
from edimesh.localsftp.errors import SshdError
from edimesh.localsftp.keys import generate_key
from edimesh.localsftp.template import DEFAULT_TEMPLATE, render

SSHD = Path("/usr/sbin/sshd")  # sshd re-executes itself, so it must be an absolute path
_READY_LINE = "Server listening on"
_START_TIMEOUT_S = 20.0
_STOP_TIMEOUT_S = 10.0


class LocalSshd:
    """One sshd process under `base` (root-owned, outside /tmp), with its partner accounts."""

    def __init__(
        self,
        base: Path,
        *,
        group: str,
        template: Path = DEFAULT_TEMPLATE,
        listen: str = "127.0.0.1",
        port: int | None = None,
        owns_group: bool = True,
    ):
        self.base = base
        self.group = group
        self.template = template
        self.listen = listen
        self.port = port or free_ports(1, listen)[0]
        self._owns_group = owns_group
        self._process: subprocess.Popen[bytes] | None = None
        self._accounts: list[accounts.Account] = []
        self.host_public_key = ""
        self.log_path = base / "sshd.log"

    @property
    def chroot_root(self) -> Path:
        return self.base / "chroot"

    @property
    def authorized_keys_dir(self) -> Path:
        return self.base / "authorized_keys"

    def known_hosts_line(self) -> str:
        """This server's line for a known_hosts file."""
        return f"[{self.listen}]:{self.port} {self.host_public_key}"

    def start(self) -> None:
        _require_root_and_sshd()
        for directory in (self.base, self.chroot_root, self.authorized_keys_dir):
            directory.mkdir(mode=0o755, parents=True, exist_ok=True)
            directory.chmod(0o755)
        _check_root_owned_path(self.base)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege-separation directory
        if self._owns_group:
            accounts.ensure_group(self.group)
        self.host_public_key = generate_key(self.base / "host_ed25519").public_key
        config = self.base / "sshd_config"
        config.write_text(render(self._values(), self.template), encoding="utf-8")
        check = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [str(SSHD), "-t", "-f", str(config)], capture_output=True, check=False
        )
        if check.returncode != 0:
            raise SshdError(f"sshd rejects the config: {check.stderr.decode(errors='replace')}")
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [str(SSHD), "-D", "-e", "-f", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._await_ready()

    def add_account(self, user: str, public_keys: Iterable[str]) -> accounts.Account:
        """A partner account that accepts `public_keys` ("ssh-ed25519 AAAA..." lines)."""
        account = accounts.create_account(user, self.group, self.chroot_root)
        self._accounts.append(account)
        keys_file = self.authorized_keys_dir / user
        keys_file.write_text("".join(f"{key}\n" for key in public_keys), encoding="ascii")
        keys_file.chmod(0o644)
        return account

    def stop(self) -> None:
        """Stop sshd, delete its accounts (and group), remove `base`; idempotent."""
        process, self._process = self._process, None
        if process is not None:
            _terminate(process)
        for account in self._accounts:
            accounts.delete_account(account.user)
        self._accounts.clear()
        if self._owns_group:
            accounts.delete_group(self.group)
        shutil.rmtree(self.base, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _values(self) -> dict[str, str]:
        return {
            "SSHD_LISTEN": self.listen,
            "SSHD_PORT": str(self.port),
            "SSHD_HOST_KEY": str(self.base / "host_ed25519"),
            "SSHD_PID_FILE": str(self.base / "sshd.pid"),
            "SSHD_AUTHORIZED_KEYS": f"{self.authorized_keys_dir}/%u",
            "SSHD_PARTNER_GROUP": self.group,
        }

    def _await_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if _READY_LINE in self.log_tail():
                return
            if self._process is not None and self._process.poll() is not None:
                raise SshdError("sshd exited during start-up", self.log_tail())
            time.sleep(0.05)
        raise SshdError(f"sshd not listening after {_START_TIMEOUT_S:g}s", self.log_tail())

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _require_root_and_sshd() -> None:
    if os.geteuid() != 0:
        raise SshdError("a local sshd with chroot and partner accounts needs root")
    if not SSHD.exists():
        raise SshdError(f"{SSHD} not found: apt-get install openssh-server")


def _check_root_owned_path(path: Path) -> None:
    """sshd's StrictModes and ChrootDirectory rules, checked up front with a clear message."""
    for component in (path, *path.parents):
        info = component.stat()
        if info.st_uid != 0 or info.st_mode & 0o022:
            raise SshdError(
                f"{component} must be root-owned and not group/other-writable for sshd "
                "(keep the base directory out of /tmp)"
            )


def _terminate(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=_STOP_TIMEOUT_S)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
