"""TransactionSet records from X12 files (synthetic or corpus), as the splitter would emit them,
and the route `edimesh check --level full` predicts for each."""

from __future__ import annotations

from pathlib import Path

from edimesh.checker.reader import scan_file
from edimesh.mesh import messages
from edimesh.validation import validate_unit
from edimesh.x12.events import TransactionSetUnit
from tests.unit.mesh_samples import TRANSACTION_SET


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")


def record_of(unit: TransactionSetUnit) -> messages.TransactionSet:
    assert unit.raw is not None
    d = unit.delimiters
    return {
        **TRANSACTION_SET,
        "idempotency_key": unit.idempotency_key,
        "st01": unit.st01,
        "st02": unit.st02,
        "st03": unit.st03 or None,
        "gs08": unit.gs08,
        "delimiters": {"element": _text(d.element) or "*", "component": _text(d.component) or ":",
                       "repetition": _text(d.repetition), "segment": _text(d.segment) or "~"},
        "segment_count": unit.segment_count,
        "byte_offset": unit.start,
        "body": unit.raw,
        "problems": [],
    }  # fmt: skip


def units_of(path: Path) -> list[TransactionSetUnit]:
    return [e for e in scan_file(path) if isinstance(e, TransactionSetUnit) and e.raw is not None]


def predicted_route(unit: TransactionSetUnit) -> str:
    """What `edimesh check --level full` says about the set."""
    return validate_unit(unit).route
