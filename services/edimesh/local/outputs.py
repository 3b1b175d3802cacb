"""The output folder of a local run: JSON lines per topic, one .x12 file per acknowledgment.

    out/validated.jsonl     one ValidatedTransaction per line, `content` as parsed JSON
    out/quarantine.jsonl    one Quarantined record per line, `raw` as text (latin-1)
    out/dlq.jsonl           one DeadLetter per line (original bytes as latin-1 text)
    out/acks.jsonl          every TA1 and 999 record
    out/999/NNNNNN.x12      each 999 as sent; out/ta1/NNNNNN.x12 each TA1

The folder holds PHI (it is the mesh's output): it is created private (0700).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import IO, Any

import orjson

from edimesh.local.tally import Kind

_FILES = {
    Kind.VALIDATED: "validated.jsonl",
    Kind.QUARANTINE: "quarantine.jsonl",
    Kind.DLQ: "dlq.jsonl",
    Kind.ACKS: "acks.jsonl",
}


def _default(value: object) -> object:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def as_json(kind: Kind, record: dict[str, Any]) -> bytes:
    """One JSON line for a decoded record (validated content inlined as JSON)."""
    if kind is Kind.VALIDATED:
        record = dict(record)
        # Already JSON (the validator wrote it): embedded as is, not parsed again.
        record["content"] = orjson.Fragment(record.pop("content_json"))
    return orjson.dumps(record, default=_default) + b"\n"


class OutputWriter:
    """Appends records as they arrive; `close()` flushes everything."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._handles: dict[Kind, IO[bytes]] = {}
        self._acks = {"999": 0, "TA1": 0}

    def write(self, kind: Kind, record: dict[str, Any]) -> None:
        name = _FILES.get(kind)
        if name is None:
            return
        handle = self._handles.get(kind)
        if handle is None:
            handle = self._handles[kind] = (self.folder / name).open("ab")
        handle.write(as_json(kind, record))
        if kind is Kind.ACKS:
            self._write_ack(record)

    def _write_ack(self, record: dict[str, Any]) -> None:
        label = "TA1" if record["kind"] == "TA1" else "999"
        self._acks[label] += 1
        folder = self.folder / label.lower()
        folder.mkdir(exist_ok=True, mode=0o700)
        (folder / f"{self._acks[label]:06d}.x12").write_text(record["x12"], encoding="latin-1")

    def flush(self) -> None:
        """Make what was written so far visible to readers of the folder."""
        for handle in self._handles.values():
            handle.flush()

    def close(self) -> None:
        for handle in self._handles.values():
            with contextlib.suppress(OSError):
                handle.close()
        self._handles.clear()
