"""999 loop tree to ``Acknowledgment``."""

from __future__ import annotations

from edimesh.validation.extract.common import opt
from edimesh.validation.models.ack import Acknowledgment, SetAcknowledgment
from edimesh.validation.models.construct import trusted
from edimesh.validation.tree import Loop, el


def _count(value: str) -> int | None:
    return int(value) if value.isdigit() else None  # a bad count has its SNIP 1 finding


def _codes(els: list[str] | None, first: int, last: int) -> tuple[str, ...]:
    return tuple([c for c in [el(els, n) for n in range(first, last + 1)] if c])


def _set(loop: Loop) -> SetAcknowledgment:
    ak2, ik5 = loop.first("AK2"), loop.first("IK5")
    return trusted(SetAcknowledgment, {
        "set_type": el(ak2, 1),
        "control_number": el(ak2, 2),
        "guide": opt(el(ak2, 3)),
        "status": el(ik5, 1),
        "error_codes": _codes(ik5, 2, 6),
        "segment_errors": len(loop.loops("2100")),
    })


def extract(root: Loop, kind: str, guide: str, comp: str, rep: str) -> Acknowledgment:
    ak1, ak9 = root.first("AK1"), root.first("AK9")
    return trusted(Acknowledgment, {
        "kind": kind,
        "guide": guide,
        "functional_id": el(ak1, 1),
        "group_control_number": el(ak1, 2),
        "version": opt(el(ak1, 3)),
        "status": el(ak9, 1),
        "included": _count(el(ak9, 2)),
        "received": _count(el(ak9, 3)),
        "accepted": _count(el(ak9, 4)),
        "error_codes": _codes(ak9, 5, 9),
        "sets": tuple(_set(loop) for loop in root.loops("2000")),
    })
