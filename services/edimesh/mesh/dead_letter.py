"""DeadLetter records for consumed messages a service cannot use, and their Kafka headers.

Every service builds its DLQ output with `dead_letter_message`, so each dead letter carries
the same triage headers whichever service wrote it.

The original message travels byte for byte (the DLQ holds PHI by design); the error travels as
its class and a message that names no values: edimesh errors are written that way, and a
foreign exception's text is replaced by its class name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from edimesh.errors import EdiMeshError
from edimesh.mesh import messages
from edimesh.mesh.codec import encode
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.transactions import Pending
from edimesh.telemetry import messaging

# Kafka headers of a dead letter, so an operator can triage without decoding the payload.
ORIGINAL_TOPIC_HEADER = "edimesh.dlq.original.topic"
ORIGINAL_PARTITION_HEADER = "edimesh.dlq.original.partition"
ORIGINAL_OFFSET_HEADER = "edimesh.dlq.original.offset"
ERROR_CLASS_HEADER = "edimesh.dlq.error.class"
ERROR_MESSAGE_HEADER = "edimesh.dlq.error.message"
ATTEMPTS_HEADER = "edimesh.dlq.attempts"
SERVICE_HEADER = "edimesh.dlq.service"

# A keyless record still needs a partition (keyed ones follow their key).
KEYLESS_PARTITION = 0


class ConsumedRecord(messaging.ConsumedRecord, Protocol):
    """What a DeadLetter keeps of a consumed record: also its value, and its key as bytes."""

    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...


def error_class(exc: BaseException) -> str:
    kind = type(exc)
    return f"{kind.__module__}.{kind.__qualname__}"


def safe_message(exc: BaseException) -> str:
    if isinstance(exc, EdiMeshError):
        return str(exc) or type(exc).__name__
    return type(exc).__name__  # foreign texts may quote data


def dead_letter(
    record: ConsumedRecord, exc: BaseException, attempts: int, now: datetime, *, service: str
) -> messages.DeadLetter:
    return {
        "original_topic": record.topic,
        "original_partition": record.partition,
        "original_offset": record.offset,
        "original_key": record.key,
        "original_value": record.value,
        "original_headers": [{"key": k, "value": v} for k, v in record.headers],
        "service": service,
        "error_class": error_class(exc),
        "error_message": safe_message(exc),
        "attempt_count": attempts,
        "failed_at": now,
    }


def dead_letter_headers(letter: messages.DeadLetter) -> list[tuple[str, bytes]]:
    """The triage facts of `letter` as Kafka headers (no values of the original message)."""
    return [
        (ORIGINAL_TOPIC_HEADER, letter["original_topic"].encode()),
        (ORIGINAL_PARTITION_HEADER, str(letter["original_partition"]).encode()),
        (ORIGINAL_OFFSET_HEADER, str(letter["original_offset"]).encode()),
        (ERROR_CLASS_HEADER, letter["error_class"].encode()),
        (ERROR_MESSAGE_HEADER, letter["error_message"].encode()),
        (ATTEMPTS_HEADER, str(letter["attempt_count"]).encode()),
        (SERVICE_HEADER, letter["service"].encode()),
    ]


def dead_letter_message(
    dlq_topic: str,
    record: ConsumedRecord,
    exc: BaseException,
    attempts: int,
    now: datetime,
    *,
    service: str,
) -> Pending:
    """The DLQ output for `record`: the encoded DeadLetter with its schema and triage headers,
    on the original key's partition (or `KEYLESS_PARTITION`)."""
    letter = dead_letter(record, exc, attempts, now, service=service)
    value, headers = encode(MessageType.DEAD_LETTER, letter)
    partition = None if record.key is not None else KEYLESS_PARTITION
    return Pending(dlq_topic, record.key, value, headers + dead_letter_headers(letter), partition)
