"""A connection cut mid-download: reconnect with backoff, resume, identical bytes, no .part."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from edimesh.transfer.errors import RetriesExhaustedError
from tests.integration.sftp.harness import Mesh, PartnerBox, part_files, running, wait_for
from tests.integration.sftp.proxy import Fault, FaultyProxy, Kind

pytestmark = [pytest.mark.sftp, pytest.mark.kafka]

MB = 1024 * 1024


async def test_cut_connections_resume_to_identical_bytes(
    kafka_bootstrap: str, partner_box: Callable[[], PartnerBox], tmp_path: Path
) -> None:
    box = partner_box()
    data = os.urandom(24 * MB + 12345)
    file_id = box.drop("big.x12", data)
    faults = [Fault(Kind.RESET, 3 * MB), Fault(Kind.STALL, 4 * MB), Fault(Kind.RESET, 2 * MB)]
    mesh = Mesh.fresh(kafka_bootstrap)
    staging = tmp_path / "staging"
    async with FaultyProxy(box.port, faults).serving() as proxy:
        config = mesh.config(staging, box.via(proxy.port, tmp_path, "acme"))
        async with running(config) as service:
            await wait_for(lambda: box.inbound() == [], "the file archived")
        status = service.status["acme"]

    assert proxy.faults_fired == 3  # each cut happened mid-transfer, so resumes were needed
    assert proxy.connections == 4
    assert status.published == 1
    assert status.failures == {}  # every cut was absorbed by a resume, none failed the file
    events = await mesh.events()
    assert [e["file_id"] for e in events] == [file_id]
    staged = staging / "acme" / file_id
    assert hashlib.sha256(staged.read_bytes()).hexdigest() == file_id
    assert staged.stat().st_size == len(data)
    assert part_files(staging) == []
    assert box.archived() == ["big.x12"]


async def test_bounded_attempts_then_the_next_poll_resumes_the_kept_part(
    kafka_bootstrap: str, partner_box: Callable[[], PartnerBox], tmp_path: Path
) -> None:
    box = partner_box()
    data = os.urandom(16 * MB + 99)
    file_id = box.drop("big.x12", data)
    # One retry allowed: the first two connections are cut after 3 MB each, so the download
    # is given up with its part kept; the third connection (next poll) is clean.
    faults = [Fault(Kind.RESET, 3 * MB)] * 2
    mesh = Mesh.fresh(kafka_bootstrap)
    staging = tmp_path / "staging"
    async with FaultyProxy(box.port, faults).serving() as proxy:
        config = mesh.config(staging, box.via(proxy.port, tmp_path, "acme"), retry_attempts=1)
        async with running(config) as service:
            status = service.status["acme"]
            await wait_for(
                lambda: status.failures.get(RetriesExhaustedError.__name__, 0) >= 1,
                "a download given up after its attempts",
            )
            await wait_for(lambda: status.published == 1, "the file staged on a later poll")

    assert proxy.faults_fired == 2
    assert proxy.connections == 3
    assert status.failures == {RetriesExhaustedError.__name__: 1}
    # The next poll resumed what both cut connections had fetched, and fetched only the rest.
    kept = status.bytes_resumed
    assert kept > 3 * MB
    assert status.bytes_fetched == len(data) - kept
    clean = proxy.down_by_connection[2]
    assert len(data) - kept < clean < len(data) - kept + 256 * 1024
    assert [e["file_id"] for e in await mesh.events()] == [file_id]
    staged = staging / "acme" / file_id
    assert hashlib.sha256(staged.read_bytes()).hexdigest() == file_id
    assert part_files(staging) == []
