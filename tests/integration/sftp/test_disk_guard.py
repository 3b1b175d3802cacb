"""The free-space guard: a file needs 2 x its size free in staging, or it is refused clearly."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from edimesh.transfer.errors import StagingFullError
from edimesh.transfer.service import Adapters
from tests.integration.sftp.harness import Mesh, PartnerBox, part_files, running, wait_for

pytestmark = [pytest.mark.sftp, pytest.mark.kafka]

SIZE = 1_000_000


async def test_refuses_a_file_that_does_not_fit_twice(
    kafka_bootstrap: str,
    partner_box: Callable[[], PartnerBox],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="edimesh")
    box = partner_box()
    box.drop("big.x12", os.urandom(SIZE))
    mesh = Mesh.fresh(kafka_bootstrap)
    staging = tmp_path / "staging"
    # The disk has room for the file once, not twice: simulate a nearly full volume.
    small_disk = Adapters(disk_free=lambda _: SIZE * 3 // 2)
    async with running(mesh.config(staging, box.partner("acme")), small_disk) as service:
        status = service.status["acme"]
        await wait_for(
            lambda: status.failures.get(StagingFullError.__name__, 0) >= 2,
            "the file refused on two polls",
        )

    assert status.published == 0
    assert box.inbound() == ["big.x12"]  # left for later, untouched
    assert part_files(staging) == []
    assert list((staging / "acme").iterdir()) == []
    assert await mesh.events() == []
    refusals = [
        r.getMessage() for r in caplog.records if StagingFullError.__name__ in r.getMessage()
    ]
    assert refusals
    assert f"a {SIZE}-byte file needs {2 * SIZE}" in refusals[0]
    assert f"{SIZE * 3 // 2} bytes free" in refusals[0]


async def test_reserve_setting_refuses_on_a_real_disk(
    kafka_bootstrap: str, partner_box: Callable[[], PartnerBox], tmp_path: Path
) -> None:
    box = partner_box()
    box.drop("small.x12", b"ISA*00*" * 10)
    mesh = Mesh.fresh(kafka_bootstrap)
    staging = tmp_path / "staging"
    disk = os.statvfs(tmp_path)
    everything = disk.f_blocks * disk.f_frsize  # more than can ever be free
    config = mesh.config(staging, box.partner("acme"), staging_reserve_bytes=everything)
    async with running(config) as service:
        status = service.status["acme"]
        await wait_for(lambda: StagingFullError.__name__ in status.failures, "file refused")
    assert status.published == 0
    assert box.inbound() == ["small.x12"]
