"""`edimesh run transfer` from the environment and a partners file; SIGTERM drains it and keeps
the download it abandons resumable."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.sftp.harness import (
    Mesh,
    PartnerBox,
    checkpointed,
    edimesh_cli,
    part_files,
    partners_toml,
    resume_counted,
    transfer_env,
    wait_for,
)
from tests.integration.sftp.proxy import Fault, FaultyProxy, Kind

MB = 1024 * 1024


@pytest.mark.sftp
@pytest.mark.kafka
async def test_sigterm_keeps_a_stalled_download_and_the_next_run_resumes_it(
    kafka_bootstrap: str, partner_box: Callable[[], PartnerBox], tmp_path: Path
) -> None:
    box = partner_box()
    data = os.urandom(8 * MB + 777)
    box.drop("big.x12", data)
    mesh = Mesh.fresh(kafka_bootstrap)
    staging = tmp_path / "staging"
    # The link stalls after 3 MB and keepalives are slow: the download is stuck in flight.
    # Periodic checkpoints are further apart than the file: only the abandonment writes one.
    async with FaultyProxy(box.port, [Fault(Kind.STALL, 3 * MB)]).serving() as proxy:
        partner = box.via(proxy.port, tmp_path, "acme")
        partners_file = tmp_path / "partners.toml"
        partners_file.write_text(partners_toml(box, proxy.port, partner.known_hosts))
        env = transfer_env(
            mesh, staging, partners_file, keepalive_interval_s="600", drain_timeout_s="0.5"
        )
        process = await asyncio.create_subprocess_exec(
            edimesh_cli(), "run", "transfer", env=env, stderr=asyncio.subprocess.PIPE
        )
        try:
            await wait_for(lambda: proxy.faults_fired == 1, "the download stalled mid-transfer")
            assert [p.suffix for p in part_files(staging)] == [".part"]  # in flight, no checkpoint
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(60):
                _, stderr = await process.communicate()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()

    log = stderr.decode()
    assert process.returncode == 0, log
    assert '"transfer: stopped"' in log  # a JSON log line
    assert "big.x12" not in log
    assert box.inbound() == ["big.x12"]  # left for the next run
    assert await mesh.events() == []
    # Kept to resume: the part and a checkpoint of its last good offset, never a final name.
    left = part_files(staging)
    assert [p.suffix for p in left] == [".ckpt", ".part"]
    kept = checkpointed(staging)
    assert MB <= kept < 3 * MB
    assert left[1].read_bytes() == data[:kept]

    await resume_counted(mesh, box, staging, tmp_path, data=data, kept=kept)


async def test_invalid_configuration_exits_2_naming_the_field(tmp_path: Path) -> None:
    partners_file = tmp_path / "partners.toml"
    partners_file.write_text('[[partners]]\nname = "acme"\nport = 0\n')
    env = {
        **os.environ,
        "EDIMESH_TRANSFER_PARTNERS_FILE": str(partners_file),
        "EDIMESH_ENV": "test",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "edimesh.transfer", env=env, stderr=asyncio.subprocess.PIPE
    )
    async with asyncio.timeout(60):
        _, stderr = await process.communicate()
    assert process.returncode == 2
    message = stderr.decode()
    assert "partner 'acme' (#1)" in message
    assert "field 'port': Input should be greater than or equal to 1" in message


async def test_production_without_a_masking_key_refuses_to_start(tmp_path: Path) -> None:
    env = {**os.environ, "EDIMESH_ENV": "production"}
    env.pop("EDIMESH_MASKING_KEY", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "edimesh.transfer", env=env, stderr=asyncio.subprocess.PIPE
    )
    async with asyncio.timeout(60):
        _, stderr = await process.communicate()
    assert process.returncode == 2
    assert "EDIMESH_MASKING_KEY is not set" in stderr.decode()
