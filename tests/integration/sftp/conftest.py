"""A real OpenSSH sshd for the transfer tests, started once per session.

The hardened server renders deploy/sftp/sshd_config; a second, weak one (weak_sshd_config here)
offers only algorithms our client refuses. Everything lives under
/var/lib/edimesh-test/<session>/ (sshd's chroot and StrictModes rules forbid /tmp) and is
removed at the end, accounts included. Needs root and openssh-server: without them the tests
skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest

from edimesh.localsftp import KeyPair, LocalSshd, SshdError, generate_key, sweep_stale_accounts
from edimesh.localsftp.server import SSHD
from tests.integration.sftp.harness import PartnerBox

TEST_ROOT = Path("/var/lib/edimesh-test")
USER_PREFIX = "edt"
WEAK_TEMPLATE = Path(__file__).with_name("weak_sshd_config")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"sftp tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sftp_session() -> Iterator[tuple[Path, str]]:
    """(base dir, group) shared by the session's sshd servers."""
    if os.geteuid() != 0:
        _unavailable("needs root (sshd chroot and partner accounts)")
    if not SSHD.exists():
        _unavailable("openssh-server is not installed (apt-get install openssh-server)")
    TEST_ROOT.mkdir(mode=0o755, exist_ok=True)
    TEST_ROOT.chmod(0o755)
    sweep_stale_accounts(USER_PREFIX, TEST_ROOT)
    session = uuid.uuid4().hex[:8]
    base = TEST_ROOT / session
    try:
        yield base, f"{USER_PREFIX}{session}"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _started(server: LocalSshd) -> LocalSshd:
    try:
        server.start()
    except SshdError as exc:
        server.stop()
        pytest.fail(f"{exc}\n{exc.log_tail}", pytrace=False)
    return server


@pytest.fixture(scope="session")
def sshd(sftp_session: tuple[Path, str]) -> Iterator[LocalSshd]:
    """The hardened sshd (deploy/sftp/sshd_config), on 127.0.0.1 and a free port."""
    base, group = sftp_session
    server = _started(LocalSshd(base / "hardened", group=group))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def weak_sshd(sftp_session: tuple[Path, str], sshd: LocalSshd) -> Iterator[LocalSshd]:
    """An sshd offering only SHA-1 key exchange, CBC ciphers and SHA-1 MACs."""
    base, group = sftp_session
    server = _started(
        LocalSshd(base / "weak", group=group, template=WEAK_TEMPLATE, owns_group=False)
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def client_keys(sshd: LocalSshd) -> tuple[KeyPair, KeyPair]:
    """(authorized key, a key no account accepts), outside any chroot."""
    directory = sshd.base.parent / "client-keys"
    directory.mkdir(mode=0o700, exist_ok=True)
    return generate_key(directory / "partner"), generate_key(directory / "stranger")


@pytest.fixture(scope="session")
def known_hosts(sshd: LocalSshd) -> Path:
    path = sshd.base.parent / "known_hosts"
    path.write_text(sshd.known_hosts_line() + "\n", encoding="ascii")
    return path


_numbers = count(1)


@pytest.fixture
def partner_box(
    sshd: LocalSshd, client_keys: tuple[KeyPair, KeyPair], known_hosts: Path
) -> Callable[[], PartnerBox]:
    """Makes a fresh partner account on the hardened sshd for this test."""
    key, _ = client_keys

    def make() -> PartnerBox:
        user = f"{sshd.group}p{next(_numbers)}"
        account = sshd.add_account(user, [key.public_key])
        return PartnerBox(account, sshd.port, key.private, known_hosts)

    return make
