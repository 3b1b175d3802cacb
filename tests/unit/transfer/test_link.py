"""Reconnect policy of a partner link, with a fake connector: bounded retries, no auth retries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncssh
import pytest

from edimesh.errors import Route, route_for
from edimesh.transfer.backoff import Backoff
from edimesh.transfer.errors import (
    AlgorithmsRefusedError,
    CredentialsRejectedError,
    HostKeyRejectedError,
    LinkLostError,
    RetriesExhaustedError,
)
from edimesh.transfer.link import PartnerLink
from edimesh.transfer.partners import Partner
from edimesh.transfer.sshclient import LinkOptions, Session, classify

OPTIONS = LinkOptions(1, 1, 1)


class FakeConnection:
    def abort(self) -> None:
        pass

    def close(self) -> None:
        pass

    async def wait_closed(self) -> None:
        pass


@pytest.fixture
def partner(tmp_path: Path) -> Partner:
    key = tmp_path / "key"
    key.write_text("x")
    key.chmod(0o600)
    return Partner(
        name="acme", host="h", user="u", private_key=key, known_hosts=key,
        inbound_dir="/in", delete_after_success=True,
    )  # fmt: skip


def link_with(
    partner: Partner, outcomes: list[Exception | None], attempts: int = 3
) -> tuple[PartnerLink, list[float]]:
    delays: list[float] = []

    async def connector(_: Partner, __: LinkOptions) -> Session:
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome
        return Session(FakeConnection(), object())  # type: ignore[arg-type]

    async def sleep(delay: float) -> None:
        delays.append(delay)

    link = PartnerLink(
        partner, OPTIONS, Backoff(attempts, 1.0, 4.0), connector=connector, sleep=sleep
    )
    return link, delays


async def test_connection_failures_are_retried_with_growing_delays(partner: Partner) -> None:
    link, delays = link_with(partner, [LinkLostError("x"), LinkLostError("x"), None])

    async def op(sftp: Any) -> str:
        return "done"

    assert await link.run(op) == "done"
    assert link.connects == 1
    assert len(delays) == 2
    assert 0.5 <= delays[0] <= 1.0 <= delays[1] <= 2.0


async def test_a_dropped_session_is_replaced_and_the_op_resumes(partner: Partner) -> None:
    link, _ = link_with(partner, [None, None])
    calls: list[int] = []

    async def op(sftp: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise asyncssh.ConnectionLost("reset")
        return len(calls)

    assert await link.run(op) == 2
    assert link.connects == 2


async def test_retries_are_bounded(partner: Partner) -> None:
    link, delays = link_with(partner, [OSError("refused")] * 10, attempts=2)

    async def op(sftp: Any) -> None:
        raise AssertionError("never connected")

    with pytest.raises(RetriesExhaustedError, match=r"acme.*3 connection failures"):
        await link.run(op)
    assert len(delays) == 2


@pytest.mark.parametrize(
    "error", [HostKeyRejectedError, CredentialsRejectedError, AlgorithmsRefusedError]
)
async def test_auth_failures_are_not_retried(partner: Partner, error: type[Exception]) -> None:
    link, delays = link_with(partner, [error("refused"), None])

    async def op(sftp: Any) -> None:
        raise AssertionError("never connected")

    with pytest.raises(error):
        await link.run(op)
    assert delays == []


def test_classify_maps_asyncssh_errors() -> None:
    cases = {
        asyncssh.HostKeyNotVerifiable("untrusted"): HostKeyRejectedError,
        asyncssh.PermissionDenied("denied"): CredentialsRejectedError,
        asyncssh.KeyExchangeFailed("No matching key exchange algorithm"): AlgorithmsRefusedError,
        asyncssh.ConnectionLost("gone"): LinkLostError,
        ConnectionRefusedError(): LinkLostError,
        TimeoutError(): LinkLostError,
    }
    for exc, expected in cases.items():
        mapped = classify(exc, "acme")
        assert type(mapped) is expected
        assert "acme" in str(mapped)
    assert route_for(classify(asyncssh.PermissionDenied("x"), "acme")) is Route.FAIL_FAST  # type: ignore[arg-type]
    assert classify(ValueError("bug"), "acme") is None
