"""Helpers for running `edimesh local` as a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import psutil

from edimesh.local.processes import alive


def leftover_processes(run_dir: Path) -> list[str]:
    """Processes of the run still alive: every pid it recorded, and anything whose command
    line names the run dir (the broker's does)."""
    left: list[str] = []
    recorded = json.loads((run_dir / "pids.json").read_text(encoding="utf-8"))
    for name, entries in recorded.items():
        left += [f"{name} pid {pid}" for pid, created in entries if alive(pid, created)]
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or ())
        if str(run_dir) in cmdline and proc.pid != psutil.Process().pid:
            left.append(f"pid {proc.pid}: {cmdline[:120]}")
    return left


# The real OpenSSH sshd fixtures of the transfer tests, for `edimesh local --sftp`.
from tests.integration.sftp.conftest import (  # noqa: E402
    client_keys,
    known_hosts,
    partner_box,
    sftp_session,
    sshd,
)

__all__ = [
    "client_keys",
    "known_hosts",
    "leftover_processes",
    "partner_box",
    "sftp_session",
    "sshd",
]
