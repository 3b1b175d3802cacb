"""The local run's tally: counts per route and the done condition, from decoded records."""

from __future__ import annotations

import copy
from typing import Any

from edimesh.local.tally import Kind, Tally
from edimesh.mesh.schemas import MessageType
from tests.unit.mesh_samples import FILE_ID, KEY, SAMPLES


def _rec(message_type: MessageType, **changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(SAMPLES[message_type])
    record.update(changes)
    return record


def _split_one_file(tally: Tally, sets: list[str]) -> None:
    tally.add(Kind.STAGED, _rec(MessageType.FILE_STAGED))
    for key in sets:
        tally.add(Kind.TRANSACTIONS, _rec(MessageType.TRANSACTION_SET, idempotency_key=key))
    tally.add(Kind.MANIFESTS, _rec(MessageType.GROUP_MANIFEST))
    tally.add(
        Kind.PROGRESS,
        _rec(MessageType.SPLITTER_PROGRESS, sets=len(sets), done=True, interchanges_decided=1),
    )


def test_done_once_every_set_has_a_route_and_every_group_a_999() -> None:
    tally = Tally()
    _split_one_file(tally, ["a", "b", "c"])
    assert not tally.done(1, expect_999s=False)
    tally.add(Kind.VALIDATED, _rec(MessageType.VALIDATED_TRANSACTION, idempotency_key="a"))
    tally.add(Kind.QUARANTINE, _rec(MessageType.QUARANTINED, idempotency_key="b"))
    assert not tally.done(1, expect_999s=False)
    dead = _rec(MessageType.DEAD_LETTER, original_key=b"c")
    tally.add(Kind.DLQ, dead)
    assert tally.done(1, expect_999s=False)
    assert not tally.done(1, expect_999s=True)
    tally.add(Kind.ACKS, _rec(MessageType.ACKNOWLEDGMENT))
    assert tally.done(1, expect_999s=True)
    assert not tally.done(2, expect_999s=True)  # a second file was fed but not staged yet
    assert (tally.validated, tally.quarantined_sets, tally.dlq_total) == (1, 1, 1)
    assert tally.interchanges == 1
    assert (tally.ack_count("999"), tally.ack_count("TA1")) == (1, 0)


def test_not_done_while_progress_counts_sets_not_read_yet() -> None:
    tally = Tally()
    tally.add(Kind.STAGED, _rec(MessageType.FILE_STAGED))
    tally.add(Kind.PROGRESS, _rec(MessageType.SPLITTER_PROGRESS, sets=2, done=True))
    assert not tally.done(1, expect_999s=False)


def test_unfinished_progress_does_not_count() -> None:
    tally = Tally()
    tally.add(Kind.STAGED, _rec(MessageType.FILE_STAGED))
    tally.add(Kind.PROGRESS, _rec(MessageType.SPLITTER_PROGRESS, sets=0, done=False))
    assert not tally.done(1, expect_999s=False)


def test_a_dead_lettered_staged_file_counts_as_finished() -> None:
    tally = Tally()
    tally.add(Kind.STAGED, _rec(MessageType.FILE_STAGED))
    tally.add(
        Kind.DLQ,
        _rec(
            MessageType.DEAD_LETTER,
            original_topic="edi.files.staged",
            original_key=FILE_ID.encode(),
            service="splitter",
        ),
    )
    assert tally.done(1, expect_999s=False)
    assert tally.dlq == {"splitter": 1}


def test_splitter_quarantine_records_are_not_set_routes() -> None:
    tally = Tally()
    tally.add(Kind.TRANSACTIONS, _rec(MessageType.TRANSACTION_SET))
    tally.add(Kind.QUARANTINE, _rec(MessageType.QUARANTINED, scope="INTERCHANGE"))
    assert tally.unrouted == 1
    assert tally.quarantined == {"INTERCHANGE/SCHEMA": 1}
    assert tally.findings == {"IK403_7": 1, "X12_SYNTAX": 1}
    tally.add(Kind.QUARANTINE, _rec(MessageType.QUARANTINED, idempotency_key=KEY))
    assert tally.unrouted == 0


def test_acks_are_counted_by_kind_and_status() -> None:
    tally = Tally()
    tally.add(Kind.ACKS, _rec(MessageType.ACKNOWLEDGMENT, kind="TA1", status="R"))
    tally.add(Kind.ACKS, _rec(MessageType.ACKNOWLEDGMENT, kind="TA1", status="E"))
    tally.add(Kind.ACKS, _rec(MessageType.ACKNOWLEDGMENT, status="A"))
    assert tally.acks == {"TA1 R": 1, "TA1 E": 1, "999 A": 1}
    assert (tally.ack_count("TA1"), tally.ack_count("999")) == (2, 1)
