"""A completed (or timed-out) group's 999, as the `Acknowledgment` published to `edi.acks`."""

from __future__ import annotations

from datetime import datetime

from edimesh.acknowledger.results import group_ack_of
from edimesh.acknowledger.state import Done, PendingGroup
from edimesh.mesh import messages
from edimesh.x12.ack999 import build_999

ACKNOWLEDGMENT_GROUP = "FA"  # GS01 of 997/999 groups


def is_acknowledgment_group(group: PendingGroup) -> bool:
    """A group of 997s or 999s: X12 never acknowledges an acknowledgment."""
    source = group.manifest if group.manifest is not None else next(
        iter(group.results.values()), None)  # fmt: skip
    return source is not None and source["envelope"]["gs01"] == ACKNOWLEDGMENT_GROUP


def answer(
    group_key: str, group: PendingGroup, *, control_number: str, timed_out: bool, now: datetime
) -> tuple[messages.Acknowledgment, Done]:
    """The group's 999 and the `Done` entry that remembers it."""
    results = list(group.results.values())
    ack = build_999(group_ack_of(group.manifest, results, timed_out),
                    control_number=control_number, when=now)  # fmt: skip
    # Without a manifest (it never came: a timeout), the results carry the same facts.
    source = group.manifest if group.manifest is not None else results[0]
    env = source["envelope"]
    record: messages.Acknowledgment = {
        "kind": "ACK_999",
        "x12": ack.text,
        "acknowledges": {
            "isa06": env["isa06"],
            "isa08": env["isa08"],
            "isa13": env["isa13"],
            "gs06": env["gs06"],
            "group_key": group_key,
        },
        "status": ack.status,
        "note_code": None,
        "file_id": source["file_id"],
        "partner": source["partner"],
        "created_at": now,
    }
    return record, Done(ack.control_number, timed_out)
