"""The mesh's services as child processes: `edimesh run <service>`, one log file each.

Each child gets its own process group (a Ctrl-C in the terminal reaches only `edimesh local`,
which then stops the children in order) and, on Linux, SIGTERM when `edimesh local` dies, so
even a killed parent leaves no service behind. Stopping: SIGTERM to the service process
only, as Kubernetes does (its worker processes end with it; a SIGTERM of their own would
look like a crash), wait, then SIGKILL to the group after the grace period.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psutil

_PR_SET_PDEATHSIG = 1
# Inherited from the user's shell, they would point a child elsewhere than this run.
_KEEP_EDIMESH = (
    "EDIMESH_MASKING_KEY",
    "EDIMESH_MASKING_KEY_ID",
    "EDIMESH_OTLP_ENDPOINT",
    "EDIMESH_OTLP_PROTOCOL",
    "EDIMESH_LOG_LEVEL",
)


def edimesh_command() -> list[str]:
    """The `edimesh` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("edimesh")
    if script.exists():
        return [str(script)]
    found = shutil.which("edimesh")
    if found:
        return [found]
    return [sys.executable, "-c", "from edimesh.cli import main; main()"]


def base_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without foreign EDIMESH_* settings, plus `extra`."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("EDIMESH_") or k in _KEEP_EDIMESH
    }
    env.update(extra)
    return env


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    descendants: dict[int, float] = field(default_factory=dict)  # pid -> create time

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        return self.process.poll()

    def note_descendants(self) -> None:
        """Remember the child's own children (worker pools), to check them at the end."""
        with contextlib.suppress(psutil.Error):
            for proc in psutil.Process(self.pid).children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    self.descendants[proc.pid] = proc.create_time()


def spawn(name: str, argv: list[str], env: Mapping[str, str], logs: Path) -> Child:
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            argv,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
        )
    return Child(name, process, log)


def stop_all(children: list[Child], grace_s: float) -> None:
    """SIGTERM every child, wait up to `grace_s` in total, SIGKILL the groups of those left.
    Then make sure their descendants are gone too."""
    for child in children:
        child.note_descendants()
        if child.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(max(0.0, deadline - time.monotonic()))
    for child in children:
        if child.poll() is None:
            _signal_group(child.pid, signal.SIGKILL)
            child.process.wait()
        _kill_leftovers(child.descendants)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _kill_leftovers(pids: Mapping[int, float]) -> None:
    for pid, created in pids.items():
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(pid)
            if proc.create_time() == created:
                proc.kill()
                proc.wait(5)


def alive(pid: int, created: float) -> bool:
    """Is that very process (not a later one with the same pid) still running?"""
    try:
        proc = psutil.Process(pid)
        return proc.create_time() == created and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def record_pids(path: Path, children: list[Child], broker_pid: int | None) -> None:
    """Every process of the run with its create time, for a leak check after it; names
    already recorded and now gone keep their last entry."""
    entries: dict[str, object] = {}
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    for child in children:
        with contextlib.suppress(psutil.Error):
            if child.poll() is None:
                child.note_descendants()
                child.descendants.setdefault(child.pid, psutil.Process(child.pid).create_time())
        entries[child.name] = [[pid, created] for pid, created in child.descendants.items()]
    if broker_pid is not None:
        with contextlib.suppress(psutil.Error):
            entries["broker"] = [[broker_pid, psutil.Process(broker_pid).create_time()]]
    if isinstance(previous, dict):
        entries = {**previous, **entries}
    path.write_text(json.dumps(entries), encoding="utf-8")
