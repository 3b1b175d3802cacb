"""Refusals that must fail fast: wrong host key, weak server, unauthorized key. No retry loop."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from edimesh.errors import AuthError, Route, route_for
from edimesh.localsftp import KeyPair, LocalSshd, generate_key
from edimesh.transfer.errors import (
    AlgorithmsRefusedError,
    CredentialsRejectedError,
    HostKeyRejectedError,
)
from edimesh.transfer.partners import Partner
from edimesh.transfer.poller import State
from edimesh.transfer.sshclient import LinkOptions, connect
from tests.integration.sftp.harness import Mesh, PartnerBox, running, wait_for
from tests.integration.sftp.proxy import FaultyProxy

pytestmark = pytest.mark.sftp

OPTIONS = LinkOptions(connect_timeout_s=10, keepalive_interval_s=5, keepalive_count_max=3)


def _wrong_host_key(box: PartnerBox, tmp_path: Path) -> Partner:
    impostor = generate_key(tmp_path / "impostor")
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{box.port} {impostor.public_key}\n", encoding="ascii")
    return box.partner("acme", known_hosts=known_hosts)


def _stranger_key(box: PartnerBox, stranger: KeyPair) -> Partner:
    return box.partner("acme", private_key=stranger.private)


@pytest.fixture
def refused(
    request: pytest.FixtureRequest,
    partner_box: Callable[[], PartnerBox],
    client_keys: tuple[KeyPair, KeyPair],
    tmp_path: Path,
) -> tuple[Partner, type[AuthError]]:
    """(a partner config the server must refuse, the error class expected)."""
    box = partner_box()
    case = request.param
    if case == "wrong-host-key":
        return _wrong_host_key(box, tmp_path), HostKeyRejectedError
    if case == "unauthorized-key":
        return _stranger_key(box, client_keys[1]), CredentialsRejectedError
    weak: LocalSshd = request.getfixturevalue("weak_sshd")
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(weak.known_hosts_line() + "\n", encoding="ascii")
    return box.partner("acme", port=weak.port, known_hosts=known_hosts), AlgorithmsRefusedError


CASES = ["wrong-host-key", "unauthorized-key", "weak-algorithms"]


@pytest.mark.parametrize("refused", CASES, indirect=True)
async def test_client_raises_the_right_error(refused: tuple[Partner, type[AuthError]]) -> None:
    partner, expected = refused
    with pytest.raises(expected) as caught:
        await connect(partner, OPTIONS)
    assert route_for(caught.value) is Route.FAIL_FAST
    assert "acme" in str(caught.value)


@pytest.mark.kafka
@pytest.mark.parametrize("refused", CASES, indirect=True)
async def test_service_halts_the_partner_after_one_attempt(
    refused: tuple[Partner, type[AuthError]],
    partner_box: Callable[[], PartnerBox],
    kafka_bootstrap: str,
    tmp_path: Path,
) -> None:
    bad, expected = refused
    good = partner_box()
    good.drop("claims.x12", os.urandom(5000))
    mesh = Mesh.fresh(kafka_bootstrap)
    async with FaultyProxy(bad.port).serving() as proxy:
        known_hosts = tmp_path / "proxied_known_hosts"
        _, key_type, key = bad.known_hosts.read_text(encoding="ascii").split()[:3]
        known_hosts.write_text(f"[127.0.0.1]:{proxy.port} {key_type} {key}\n", encoding="ascii")
        proxied = bad.model_copy(update={"port": proxy.port, "known_hosts": known_hosts})
        config = mesh.config(tmp_path / "staging", proxied, good.partner("good"), retry_attempts=5)
        async with running(config) as service:
            await wait_for(lambda: service.status["acme"].state is State.HALTED, "acme halted")
            await wait_for(lambda: service.status["good"].published == 1, "good partner served")
            acme = service.status["acme"]
            assert acme.halted_by == expected.__name__
            assert acme.polls == 1
            assert acme.failures == {}
        assert proxy.connections == 1  # refused once, never retried
    assert service.status["good"].state is State.STOPPED
    assert len(await mesh.events()) == 1
