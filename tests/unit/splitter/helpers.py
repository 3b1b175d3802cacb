"""Run bytes through the X12 core and the pure handler, without Kafka."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from edimesh.mesh.codec import decode, encode
from edimesh.splitter.handler import FileSplit, Verdicts
from edimesh.splitter.ledger import InterchangeLedger, LedgerLookup
from edimesh.splitter.outputs import Destination, Output
from edimesh.splitter.records import FileContext
from edimesh.x12.stream import X12Stream

RECEIVED = datetime(2024, 3, 15, 10, 0, tzinfo=UTC)
STARTED = datetime(2024, 3, 15, 10, 5, tzinfo=UTC)


def context_for(data: bytes, partner: str = "acme") -> FileContext:
    file_id = hashlib.sha256(data).hexdigest()
    return FileContext(
        file_id=file_id,
        partner=partner,
        staging_uri=f"file:///staging/{file_id}",
        size_bytes=len(data),
        received_at=RECEIVED,
        started_at=STARTED,
    )


def split(
    data: bytes,
    *,
    ledger: LedgerLookup | None = None,
    prior: Verdicts | None = None,
    max_set_bytes: int = 8 << 20,
    chunk: int = 4096,
    context: FileContext | None = None,
) -> tuple[list[Output], FileSplit]:
    handler = FileSplit(context or context_for(data), ledger or InterchangeLedger(),
                        prior or Verdicts())  # fmt: skip
    stream = X12Stream(max_set_bytes=max_set_bytes)
    outputs: list[Output] = []
    for i in range(0, len(data), chunk):
        for event in stream.feed(data[i : i + chunk]):
            outputs.extend(handler.feed(event))
    for event in stream.finish():
        outputs.extend(handler.feed(event))
    return outputs, handler


def only(outputs: Sequence[Output], destination: Destination) -> list[Output]:
    return [o for o in outputs if o.destination is destination]


def round_trip(outputs: Sequence[Output]) -> None:
    """Every record is valid for its schema: encode (strict) and decode back."""
    for out in outputs:
        value, headers = encode(out.message_type, out.record)
        assert decode(value, headers, expected=out.message_type) == out.record
