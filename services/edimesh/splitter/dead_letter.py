"""DeadLetter records for FileStaged events the splitter cannot use.

The original message travels byte for byte (the DLQ holds PHI by design); the error travels as
its class and a message that names no values: edimesh errors are written that way, and a
foreign exception's text is replaced by its class name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from edimesh.errors import EdiMeshError
from edimesh.mesh import messages

SERVICE = "splitter"


class ConsumedRecord(Protocol):
    """What aiokafka's ConsumerRecord offers and a DeadLetter keeps."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


def error_class(exc: BaseException) -> str:
    kind = type(exc)
    return f"{kind.__module__}.{kind.__qualname__}"


def safe_message(exc: BaseException) -> str:
    if isinstance(exc, EdiMeshError):
        return str(exc) or type(exc).__name__
    return type(exc).__name__  # foreign texts may quote data


def dead_letter(
    record: ConsumedRecord, exc: BaseException, attempts: int, now: datetime
) -> messages.DeadLetter:
    return {
        "original_topic": record.topic,
        "original_partition": record.partition,
        "original_offset": record.offset,
        "original_key": record.key,
        "original_value": record.value,
        "original_headers": [{"key": k, "value": v} for k, v in record.headers],
        "service": SERVICE,
        "error_class": error_class(exc),
        "error_message": safe_message(exc),
        "attempt_count": attempts,
        "failed_at": now,
    }
