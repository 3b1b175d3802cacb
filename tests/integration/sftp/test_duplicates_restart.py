"""Same content twice gives one event; a restart between publish and archive gives no second."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from edimesh.transfer.errors import DisposeFailedError
from tests.integration.sftp.harness import Mesh, PartnerBox, part_files, running, wait_for

pytestmark = [pytest.mark.sftp, pytest.mark.kafka]


async def test_same_bytes_under_other_names_give_one_event(
    kafka_bootstrap: str, partner_box: Callable[[], PartnerBox], tmp_path: Path
) -> None:
    box = partner_box()
    data = os.urandom(300_000)
    file_id = box.drop("first.x12", data)
    box.drop("again.x12", data)
    box.drop("resent.x12", data)
    other = box.drop("other.x12", os.urandom(1000))
    mesh = Mesh.fresh(kafka_bootstrap)
    staging = tmp_path / "staging"
    config = mesh.config(staging, box.partner("acme"))
    async with running(config) as service:
        await wait_for(lambda: box.inbound() == [], "all four files disposed")
        # The same name and content again, after the first copy was archived.
        box.drop("first.x12", data)
        await wait_for(lambda: box.inbound() == [], "the re-sent file disposed")
        status = service.status["acme"]

    assert sorted(e["file_id"] for e in await mesh.events()) == sorted([file_id, other])
    assert (status.published, status.duplicates) == (2, 3)
    assert box.archived() == sorted(
        ["again.x12", "first.x12", f"first.x12.{file_id[:16]}", "other.x12", "resent.x12"]
    )
    assert sorted(p.name for p in (staging / "acme").iterdir()) == sorted([file_id, other])


async def test_restart_between_publish_and_archive_publishes_nothing_new(
    kafka_bootstrap: str, partner_box: Callable[[], PartnerBox], tmp_path: Path
) -> None:
    box = partner_box()
    file_id = box.drop("claims.x12", os.urandom(200_000))
    mesh = Mesh.fresh(kafka_bootstrap)
    staging = tmp_path / "staging"

    # First run: the archive step fails (its directory does not exist), as if the process had
    # died right after the broker acknowledged the event.
    broken = mesh.config(staging, box.partner("acme", archive_dir="/missing"))
    async with running(broken) as first:
        status = first.status["acme"]
        await wait_for(
            lambda: status.failures.get(DisposeFailedError.__name__, 0) >= 1, "dispose failed"
        )
    assert status.published == 1
    assert box.inbound() == ["claims.x12"]  # still there: it was never disposed

    # Second run: a new service (new process state) finds the file again and rebuilds its
    # ledger from Kafka, so it only archives.
    async with running(mesh.config(staging, box.partner("acme"))) as second:
        await wait_for(lambda: box.inbound() == [], "the file archived after the restart")
        status = second.status["acme"]
    assert (status.published, status.duplicates) == (0, 1)
    assert [e["file_id"] for e in await mesh.events()] == [file_id]
    assert [e["file_id"] for e in await mesh.ledger()] == [file_id]
    assert box.archived() == ["claims.x12"]
    assert part_files(staging) == []
