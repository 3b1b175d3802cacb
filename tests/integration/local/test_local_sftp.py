"""`edimesh local --sftp HOST:PORT` against the real, hardened OpenSSH sshd of the transfer
tests instead of the embedded server: files uploaded there, taken, archived, processed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from edimesh.local.samples import plan_samples, sample_claims
from tests.integration.local.conftest import leftover_processes
from tests.integration.sftp.harness import PartnerBox

pytestmark = [pytest.mark.kafka, pytest.mark.sftp, pytest.mark.slow, pytest.mark.timeout(600)]

CLAIMS = 60
EDIMESH = [sys.executable, "-c", "from edimesh.cli import main; main()"]


def test_a_real_sftp_server_instead_of_the_embedded_one(
    tmp_path: Path, partner_box: Callable[[], PartnerBox]
) -> None:
    box = partner_box()
    samples = plan_samples(CLAIMS, errors=False)
    run_dir = tmp_path / "run"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDIMESH_")}
    result = subprocess.run(
        [*EDIMESH, "local", "--run-dir", str(run_dir), "--timeout", "300",
         "--claims", str(CLAIMS), "--sftp", f"127.0.0.1:{box.port}",
         "--sftp-user", box.account.user, "--sftp-key", str(box.private_key),
         "--sftp-known-hosts", str(box.known_hosts)],
        env=env, capture_output=True, text=True, timeout=500, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SFTP source on" not in result.stderr  # the embedded server never started
    summary = json.loads((run_dir / "out" / "summary.json").read_text())
    assert summary["files_staged"] == len(samples)
    assert (
        summary["sets"]
        == summary["validated"]
        == sum(s.options.sets for s in samples if s.options is not None)
    )
    assert summary["claims"] == sample_claims(samples)
    assert box.inbound() == []
    assert sorted(box.archived()) == sorted(s.name for s in samples)
    assert leftover_processes(run_dir) == []
