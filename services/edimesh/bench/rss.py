"""Peak memory and CPU time of a measured process, read from /proc (Linux only).

VmHWM is the process's own peak resident set; unlike `ru_maxrss` it is not inherited across
exec, so a service spawned by the benchmark reports its own peak, not the benchmark's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psutil


def vm_hwm(pid: int | None = None) -> int:
    """Peak RSS in bytes of `pid` (this process when None)."""
    where = "self" if pid is None else str(pid)
    for line in Path(f"/proc/{where}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM in /proc/{where}/status")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _helper(child: psutil.Process) -> bool:
    """multiprocessing's resource tracker: a small helper, not a worker."""
    import psutil  # noqa: PLC0415 - see children_hwm

    try:
        return any("resource_tracker" in part for part in child.cmdline())
    except psutil.Error:  # gone, or no access: not a worker we can measure
        return True


def children_hwm(pid: int) -> list[int]:
    """Peak RSS of each live worker process (descendants); read before they exit."""
    import psutil  # noqa: PLC0415 - not in the split worker, whose own peak RSS is measured

    peaks = []
    for child in psutil.Process(pid).children(recursive=True):
        if _helper(child):
            continue
        try:
            peaks.append(vm_hwm(child.pid))
        except (OSError, RuntimeError):  # exited between the listing and the read
            continue
    return peaks


def children_cpu(pid: int) -> float:
    """CPU seconds of the live descendants, for work done in worker processes."""
    import psutil  # noqa: PLC0415 - see children_hwm

    total = 0.0
    for child in psutil.Process(pid).children(recursive=True):
        try:
            total += cpu_seconds(child.pid)
        except OSError:
            continue
    return total
