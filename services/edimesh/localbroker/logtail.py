"""Reading the end of the broker's logs, to explain a failure in one line (and in full)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

_READ_BYTES = 256 * 1024
# `[2026-01-01 10:00:00,000] ERROR message (logger.Name)` as our log4j pattern writes it.
_ERROR_RECORD = re.compile(r"^\[[^\]]+\] (?:ERROR|FATAL) (?P<message>.*?)(?: \([\w.$]+\))?$")
_SEVERE = ("Exception", "Error:", "ERROR", "FATAL")


def tail_lines(path: Path, count: int = 40) -> list[str]:
    """Last `count` lines of a text file; empty if it does not exist (yet)."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - _READ_BYTES))
            data = handle.read()
    except FileNotFoundError:
        return []
    lines = data.decode("utf-8", errors="replace").splitlines()
    return lines[-count:]


def combined_tail(paths: Iterable[Path], count: int = 40) -> str:
    """The tails of several logs, each under a header naming its file."""
    parts = []
    for path in paths:
        lines = tail_lines(path, count)
        if lines:
            parts.append(f"==> {path} <==\n" + "\n".join(lines))
    return "\n".join(parts)


def failure_summary(lines: Iterable[str], limit: int = 300) -> str:
    """The most telling single line of a failed start.

    The first ERROR record (the root cause; later ones are its consequences) with the
    exception line printed under it; else the last line that looks severe (JVM errors such
    as `Error: Could not find or load main class`); else the last line.
    """
    texts = [line.strip() for line in lines if line.strip()]
    for index, line in enumerate(texts):
        if match := _ERROR_RECORD.match(line):
            message = match.group("message")
            following = texts[index + 1] if index + 1 < len(texts) else ""
            if following and not following.startswith("["):
                message = f"{message}: {following}"
            return message[:limit]
    severe = [line for line in texts if any(marker in line for marker in _SEVERE)]
    chosen = severe[-1] if severe else (texts[-1] if texts else "")
    return chosen[:limit]
