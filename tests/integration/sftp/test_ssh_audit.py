"""ssh-audit checks the shipped sshd config's algorithms against an allowlist policy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edimesh.localsftp import DEFAULT_TEMPLATE, LocalSshd

pytestmark = pytest.mark.sftp

POLICY = DEFAULT_TEMPLATE.with_name("ssh-audit-policy.txt")


def _ssh_audit() -> str:
    found = shutil.which("ssh-audit", path=str(Path(sys.executable).parent))
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("ssh-audit is not installed (a dev dependency)", pytrace=False)
        pytest.skip("ssh-audit is not installed: pip install ssh-audit")
    return found


def _audit(server: LocalSshd) -> dict[str, object]:
    done = subprocess.run(
        [_ssh_audit(), "--skip-rate-test", "-n", "-j", "-P", str(POLICY), "-p", str(server.port),
         server.listen],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_shipped_config_passes_the_policy(sshd: LocalSshd) -> None:
    result = _audit(sshd)
    assert result["passed"] is True, result["errors"]


def test_policy_fails_a_weak_server(weak_sshd: LocalSshd) -> None:
    result = _audit(weak_sshd)
    assert result["passed"] is False
    assert result["errors"]
