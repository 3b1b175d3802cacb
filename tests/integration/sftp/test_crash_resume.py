"""A transfer process killed (SIGKILL) mid-download: the next start resumes its part file from
the last checkpoint instead of fetching the whole file again, and stages the exact bytes."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.sftp.harness import (
    MASKING_KEY,
    Mesh,
    PartnerBox,
    checkpointed,
    part_files,
    partners_toml,
    resume_counted,
    running,
    wait_for,
)
from tests.integration.sftp.proxy import Fault, FaultyProxy, Kind

pytestmark = [pytest.mark.sftp, pytest.mark.kafka]

MB = 1024 * 1024
CHECKPOINT = MB


async def _crash_mid_download(
    kafka_bootstrap: str, mesh: Mesh, box: PartnerBox, staging: Path, tmp_path: Path
) -> int:
    """Run `python -m edimesh.transfer` until the download stalls at 12 MB, SIGKILL it;
    the checkpointed offset it left."""
    async with FaultyProxy(box.port, [Fault(Kind.STALL, 12 * MB)]).serving() as proxy:
        partner = box.via(proxy.port, tmp_path, "acme")
        partners_file = tmp_path / "partners.toml"
        partners_file.write_text(partners_toml(box, proxy.port, partner.known_hosts))
        env = {
            **os.environ,
            "EDIMESH_BOOTSTRAP": kafka_bootstrap,
            "EDIMESH_TRANSFER_PARTNERS_FILE": str(partners_file),
            "EDIMESH_TRANSFER_STAGING_DIR": str(staging),
            "EDIMESH_TRANSFER_TOPIC_PREFIX": mesh.prefix,
            "EDIMESH_TRANSFER_TRANSACTIONAL_ID": mesh.transactional_id,
            "EDIMESH_TRANSFER_KEEPALIVE_INTERVAL_S": "600",
            "EDIMESH_TRANSFER_RESUME_CHECKPOINT_BYTES": str(CHECKPOINT),
            "EDIMESH_MASKING_KEY": MASKING_KEY.get_secret_value(),
            "EDIMESH_ENV": "production",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "edimesh.transfer", env=env, stderr=asyncio.subprocess.DEVNULL
        )
        try:
            await wait_for(lambda: proxy.faults_fired == 1, "the download stalled mid-transfer")
            # Checkpoints are made in the background, so how far the last one got depends on
            # the machine; any one will do.
            await wait_for(lambda: checkpointed(staging) > 0, "a checkpoint before the stall")
        finally:
            process.kill()
            await process.wait()
    assert process.returncode == -9
    return checkpointed(staging)


async def test_a_killed_download_resumes_from_its_checkpoint(
    kafka_bootstrap: str, partner_box: Callable[[], PartnerBox], tmp_path: Path
) -> None:
    box = partner_box()
    data = os.urandom(24 * MB + 4321)
    box.drop("big.x12", data)
    mesh = Mesh.fresh(kafka_bootstrap)
    staging = tmp_path / "staging"

    kept = await _crash_mid_download(kafka_bootstrap, mesh, box, staging, tmp_path)
    assert CHECKPOINT <= kept < 12 * MB
    left = part_files(staging)
    assert [p.suffix for p in left] == [".ckpt", ".part"]  # left by the crash, not complete
    part = left[1]
    assert part.read_bytes()[:kept] == data[:kept]
    assert await mesh.events() == []

    await resume_counted(mesh, box, staging, tmp_path, data=data, kept=kept,
                         resume_checkpoint_bytes=CHECKPOINT)


async def test_a_remote_file_changed_since_the_crash_is_fetched_whole(
    kafka_bootstrap: str, partner_box: Callable[[], PartnerBox], tmp_path: Path
) -> None:
    box = partner_box()
    box.drop("big.x12", os.urandom(24 * MB))
    mesh = Mesh.fresh(kafka_bootstrap)
    staging = tmp_path / "staging"
    kept = await _crash_mid_download(kafka_bootstrap, mesh, box, staging, tmp_path)
    assert kept >= CHECKPOINT

    # Same name, new content and size: the old part must neither be resumed nor survive.
    data = os.urandom(20 * MB)
    file_id = box.drop("big.x12", data)
    async with FaultyProxy(box.port).serving() as proxy:
        config = mesh.config(staging, box.via(proxy.port, tmp_path, "acme"))
        async with running(config) as service:
            await wait_for(lambda: box.inbound() == [], "the file archived")
        status = service.status["acme"]

    assert status.bytes_resumed == 0
    assert status.bytes_fetched == len(data)
    assert proxy.bytes_down > len(data)
    assert [e["file_id"] for e in await mesh.events()] == [file_id]
    staged = staging / "acme" / file_id
    assert hashlib.sha256(staged.read_bytes()).hexdigest() == file_id
    assert part_files(staging) == []
