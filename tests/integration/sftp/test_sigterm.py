"""`python -m edimesh.transfer` from the environment and a partners file; SIGTERM drains it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.sftp.harness import (
    MASKING_KEY,
    Mesh,
    PartnerBox,
    part_files,
    partners_toml,
    wait_for,
)
from tests.integration.sftp.proxy import Fault, FaultyProxy, Kind

MB = 1024 * 1024


@pytest.mark.sftp
@pytest.mark.kafka
async def test_sigterm_abandons_a_stalled_download_cleanly(
    kafka_bootstrap: str, partner_box: Callable[[], PartnerBox], tmp_path: Path
) -> None:
    box = partner_box()
    box.drop("big.x12", os.urandom(8 * MB))
    mesh = Mesh.fresh(kafka_bootstrap)
    staging = tmp_path / "staging"
    # The link stalls after 1 MB and keepalives are slow: the download is stuck in flight.
    async with FaultyProxy(box.port, [Fault(Kind.STALL, MB)]).serving() as proxy:
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
            "EDIMESH_TRANSFER_DRAIN_TIMEOUT_S": "0.5",
            "EDIMESH_MASKING_KEY": MASKING_KEY.get_secret_value(),
            "EDIMESH_ENV": "production",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "edimesh.transfer", env=env, stderr=asyncio.subprocess.PIPE
        )
        try:
            await wait_for(lambda: proxy.faults_fired == 1, "the download stalled mid-transfer")
            assert len(part_files(staging)) == 1  # in flight, and not looking complete
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
    assert part_files(staging) == []
    assert list((staging / "acme").iterdir()) == []
    assert box.inbound() == ["big.x12"]  # left for the next run
    assert await mesh.events() == []


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
