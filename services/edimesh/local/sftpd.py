"""The embedded SFTP source: asyncssh's server on 127.0.0.1, serving one folder.

It offers exactly the algorithms the transfer client accepts (transfer/algorithms.py), a fresh
ed25519 host key, and public-key authentication for one generated client key only; sessions
are chrooted to the served folder and get SFTP, nothing else (no shell, no forwarding, no scp).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import asyncssh

from edimesh.transfer import algorithms

HOST = "127.0.0.1"
USER = "edimesh"
INBOUND = "inbound"
ARCHIVE = "archive"


@dataclass(frozen=True, slots=True)
class SftpCredentials:
    """What a client needs to reach the server: the files the partners config names."""

    host: str
    port: int
    user: str
    private_key: Path  # mode 0600
    known_hosts: Path


def write_keys(folder: Path) -> tuple[Path, Path, Path]:
    """(host key, client key, client public key) files, new ed25519 keys, mode 0600."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    paths = []
    for name in ("host_ed25519", "client_ed25519"):
        key = asyncssh.generate_private_key("ssh-ed25519")
        path = folder / name
        path.touch(mode=0o600)
        path.write_bytes(key.export_private_key())
        path.with_name(name + ".pub").write_bytes(key.export_public_key())
        paths.append(path)
    return paths[0], paths[1], paths[1].with_name("client_ed25519.pub")


class _Server(asyncssh.SSHServer):
    """Public keys only; asyncssh then checks them against authorized_client_keys."""

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True


class EmbeddedSftpServer:
    """`async with EmbeddedSftpServer(root, keys_dir) as server:` -> server.credentials."""

    def __init__(self, root: Path, keys_dir: Path, port: int = 0) -> None:
        self.root = root
        self._keys_dir = keys_dir
        self._port = port
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self.credentials: SftpCredentials | None = None

    @property
    def inbound(self) -> Path:
        return self.root / INBOUND

    async def __aenter__(self) -> EmbeddedSftpServer:
        for folder in (self.root, self.inbound, self.root / ARCHIVE):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        host_key, client_key, client_pub = write_keys(self._keys_dir)
        root = str(self.root).encode()

        def sftp_factory(chan: asyncssh.SSHServerChannel[bytes]) -> asyncssh.SFTPServer:
            return asyncssh.SFTPServer(chan, chroot=root)

        self._acceptor = await asyncssh.listen(
            HOST,
            self._port,
            server_factory=_Server,
            server_host_keys=[str(host_key)],
            authorized_client_keys=str(client_pub),
            kex_algs=list(algorithms.KEX),
            encryption_algs=list(algorithms.CIPHERS),
            mac_algs=list(algorithms.MACS),
            compression_algs=list(algorithms.COMPRESSION),
            signature_algs=list(algorithms.HOST_KEYS),
            sftp_factory=sftp_factory,
            allow_scp=False,
            allow_pty=False,
            agent_forwarding=False,
            x11_forwarding=False,
            process_factory=None,
            login_timeout=30,
        )
        port = self._acceptor.get_port()
        known_hosts = self._keys_dir / "known_hosts"
        public = asyncssh.read_private_key(str(host_key)).export_public_key().decode().strip()
        known_hosts.write_text(f"[{HOST}]:{port} {public}\n", encoding="ascii")
        self.credentials = SftpCredentials(HOST, port, USER, client_key, known_hosts)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop listening and drop open sessions (idempotent)."""
        acceptor, self._acceptor = self._acceptor, None
        if acceptor is not None:
            acceptor.close()
            await acceptor.wait_closed()
