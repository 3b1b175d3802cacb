"""Stopping children: SIGTERM to each, SIGKILL after the grace period, no descendant left."""

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


# A service with a worker process whose life is tied to a pipe, like the validator's pool: on
# SIGTERM the service closes the pipe and waits for the worker. The worker notes how it ended.
SERVICE = """
import signal, subprocess, sys
worker = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], stdin=subprocess.PIPE)
def drain(*_):
    worker.stdin.close()
    sys.exit(worker.wait())
signal.signal(signal.SIGTERM, drain)
while True:
    signal.pause()
"""
WORKER = """
import signal, sys
def note(text):
    with open(sys.argv[1], "a") as out:
        out.write(text + "\\n")
def term(*_):
    note("SIGTERM")
    sys.exit(1)
signal.signal(signal.SIGTERM, term)
note("ready")
sys.stdin.read()
note("pipe closed")
"""


def test_only_the_service_gets_sigterm_its_workers_end_with_it(tmp_path: Path) -> None:
    notes = tmp_path / "worker.notes"
    child = spawn("service", [sys.executable, "-c", SERVICE, WORKER, str(notes)], base_env({}),
                  tmp_path)  # fmt: skip
    while not (notes.exists() and "ready" in notes.read_text()):
        assert child.poll() is None, child.log.read_text()
        time.sleep(0.05)
    stop_all([child], grace_s=30.0)
    assert notes.read_text().split("\n")[1:] == ["pipe closed", ""]
    assert child.poll() == 0


def test_children_do_not_inherit_foreign_edimesh_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIMESH_SPLITTER_TOPIC_PREFIX", "other.")
    monkeypatch.setenv("EDIMESH_MASKING_KEY", "k" * 40)
    env = base_env({"EDIMESH_BOOTSTRAP": "127.0.0.1:1"})
    assert "EDIMESH_SPLITTER_TOPIC_PREFIX" not in env
    assert env["EDIMESH_MASKING_KEY"] == "k" * 40
    assert env["EDIMESH_BOOTSTRAP"] == "127.0.0.1:1"
