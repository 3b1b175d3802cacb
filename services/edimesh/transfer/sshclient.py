"""The hardened asyncssh client: allowed algorithms only, known_hosts always, public key only.

`connect` opens one SSH connection and its SFTP session for a partner and maps every failure to
the transfer errors: authentication, host-key and algorithm refusals are AuthError (fail fast,
never retried), everything else that ends a connection is LinkLostError (retried with backoff).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncssh
from cryptography.hazmat.primitives.asymmetric import rsa

from edimesh.errors import ConfigError, EdiMeshError
from edimesh.transfer import algorithms
from edimesh.transfer.errors import (
    AlgorithmsRefusedError,
    CredentialsRejectedError,
    HostKeyRejectedError,
    LinkLostError,
)
from edimesh.transfer.partners import Partner


@dataclass(frozen=True, slots=True)
class LinkOptions:
    connect_timeout_s: float
    keepalive_interval_s: float
    keepalive_count_max: int
    window_bytes: int = 2 * 1024 * 1024  # asyncssh's defaults
    max_packet_bytes: int = 32 * 1024


@dataclass(frozen=True, slots=True)
class Session:
    """An open connection and its SFTP client; close `connection` to end both."""

    connection: asyncssh.SSHClientConnection
    sftp: asyncssh.SFTPClient


def preflight(partner: Partner) -> None:
    """Check the partner's key and known_hosts at start: ConfigError naming the field."""
    where = f"partner {partner.name!r}"
    try:
        key = asyncssh.read_private_key(str(partner.private_key))
    except (OSError, asyncssh.KeyImportError) as exc:
        raise ConfigError(f"{where}: field 'private_key': not a readable private key") from exc
    pyca = key.pyca_key
    if key.get_algorithm() not in (*algorithms.CLIENT_SIGNATURES, "ssh-rsa") or (
        isinstance(pyca, rsa.RSAPrivateKey) and pyca.key_size < algorithms.MIN_RSA_BITS
    ):
        raise ConfigError(
            f"{where}: field 'private_key': use an ed25519 key or RSA of at least "
            f"{algorithms.MIN_RSA_BITS} bits"
        )
    try:
        known = asyncssh.read_known_hosts(str(partner.known_hosts))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{where}: field 'known_hosts': not a readable known_hosts file") from exc
    host_keys, ca_keys, *_ = known.match(partner.host, "", partner.port)
    if not host_keys and not ca_keys:
        raise ConfigError(
            f"{where}: field 'known_hosts': no key for [{partner.host}]:{partner.port}"
        )


def client_options(partner: Partner, link: LinkOptions) -> asyncssh.SSHClientConnectionOptions:
    """Options that leave nothing to asyncssh's defaults or to ~/.ssh."""
    return asyncssh.SSHClientConnectionOptions(
        username=partner.user,
        client_keys=[str(partner.private_key)],
        known_hosts=str(partner.known_hosts),  # never None: None would disable verification
        kex_algs=list(algorithms.KEX),
        encryption_algs=list(algorithms.CIPHERS),
        mac_algs=list(algorithms.MACS),
        compression_algs=list(algorithms.COMPRESSION),
        server_host_key_algs=list(algorithms.HOST_KEYS),
        signature_algs=list(algorithms.CLIENT_SIGNATURES),
        preferred_auth=["publickey"],
        public_key_auth=True,
        password_auth=False,
        kbdint_auth=False,
        host_based_auth=False,
        gss_auth=False,
        gss_kex=False,
        disable_trivial_auth=True,
        agent_path=None,
        config=[],
        x509_trusted_certs=None,
        x509_trusted_cert_paths=[],
        connect_timeout=link.connect_timeout_s,
        login_timeout=link.connect_timeout_s,
        keepalive_interval=link.keepalive_interval_s,
        keepalive_count_max=link.keepalive_count_max,
        window=link.window_bytes,
        max_pktsize=link.max_packet_bytes,
    )


async def connect(partner: Partner, link: LinkOptions) -> Session:
    """One authenticated connection with its SFTP session, or a transfer error."""
    connection: asyncssh.SSHClientConnection | None = None
    try:
        connection = await asyncssh.connect(
            partner.host, partner.port, options=client_options(partner, link)
        )
        # A partner's non-UTF-8 file name must not break the whole listing.
        sftp = await connection.start_sftp_client(path_errors="surrogateescape")
    except BaseException as exc:
        if connection is not None:
            connection.abort()
        mapped = classify(exc, partner.name) if isinstance(exc, Exception) else None
        if mapped is None:
            raise
        raise mapped from exc
    return Session(connection, sftp)


def classify(exc: Exception, partner: str) -> EdiMeshError | None:
    """The transfer error for a failure of the SSH layer, or None for anything else."""
    where = f"partner {partner!r}"
    if isinstance(exc, EdiMeshError):
        return exc
    if isinstance(exc, asyncssh.HostKeyNotVerifiable):
        return HostKeyRejectedError(
            f"{where}: the server's host key is not in the partner's known_hosts; "
            "verify the new key with the partner before updating known_hosts"
        )
    if isinstance(exc, asyncssh.PermissionDenied):
        return CredentialsRejectedError(f"{where}: the server rejected our public key for the user")
    if isinstance(exc, asyncssh.KeyExchangeFailed):
        return AlgorithmsRefusedError(
            f"{where}: the server offers none of the allowed algorithms ({exc.reason})"
        )
    if isinstance(exc, (asyncssh.Error, OSError, TimeoutError, asyncio.IncompleteReadError)):
        return LinkLostError(f"{where}: connection lost or refused ({type(exc).__name__})")
    return None
