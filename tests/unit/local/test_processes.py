"""Stopping children: SIGTERM to the group, SIGKILL after the grace period, no descendant left."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from edimesh.local.processes import alive, base_env, spawn, stop_all

# Prints "ready" once its SIGTERM handler is set (a stubborn child ignores SIGTERM) and
# starts a grandchild that sleeps, like a service's worker pool.
CHILD = """
import signal, subprocess, sys, time
if sys.argv[1] == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print("ready", flush=True)
time.sleep(600)
"""


def _ready(log: Path) -> bool:
    return log.exists() and "ready" in log.read_text()


def test_stop_all_ends_children_and_their_descendants(tmp_path: Path) -> None:
    children = [
        spawn(name, [sys.executable, "-c", CHILD, name], base_env({}), tmp_path)
        for name in ("polite", "stubborn")
    ]
    for child in children:
        while not _ready(child.log):
            assert child.poll() is None, child.log.read_text()
            time.sleep(0.05)
        child.note_descendants()
        assert len(child.descendants) == 1, "the grandchild was started"
    stop_all(children, grace_s=1.0)
    for child in children:
        assert child.poll() is not None
        for pid, created in child.descendants.items():
            assert not alive(pid, created)
    assert children[1].poll() == -9  # ignored SIGTERM: killed after the grace period


def test_children_do_not_inherit_foreign_edimesh_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIMESH_SPLITTER_TOPIC_PREFIX", "other.")
    monkeypatch.setenv("EDIMESH_MASKING_KEY", "k" * 40)
    env = base_env({"EDIMESH_BOOTSTRAP": "127.0.0.1:1"})
    assert "EDIMESH_SPLITTER_TOPIC_PREFIX" not in env
    assert env["EDIMESH_MASKING_KEY"] == "k" * 40
    assert env["EDIMESH_BOOTSTRAP"] == "127.0.0.1:1"
