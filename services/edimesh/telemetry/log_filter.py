"""A logging filter that makes a record safe before any handler writes it.

`redact_record` renders the message with its args, scrubs it (`redaction.scrub`), drops the
args, replaces the exception with its class and safe message (`safe_errors`), scrubs the stack
info, and makes every `extra` field safe:

- str values are scrubbed; bytes are dropped (asyncssh attaches raw packets as `extra`);
- bools and None pass; ints and floats pass when the field is a measure (its name ends with
  one of MEASURE_SUFFIXES, e.g. `size_bytes`, `kafka_offset`) or when they do not look like an
  identifier; otherwise they are redacted like text;
- dicts, lists and tuples are made safe item by item (keys are scrubbed too), to a depth of 4;
- anything else is turned into text and scrubbed.

Put `RedactionFilter` on the handler: a filter on a logger sees only records logged on that
very logger, not those of its children, while a handler filter sees every record it writes.
The filter is idempotent, so it may also sit on loggers.
"""

from __future__ import annotations

import logging
from typing import Any

from edimesh.telemetry.redaction import scrub
from edimesh.telemetry.safe_errors import SafeException, describe_exception, type_name

MEASURE_SUFFIXES = ("bytes", "count", "_ms", "_seconds", "_total", "offset", "partition", "attempt")
SAFE_ERROR_ATTR = "_edimesh_error"
_DONE_ATTR = "_edimesh_redacted"
MAX_DEPTH = 4
UNFORMATTABLE = "[unformattable log message]"

# Attributes every LogRecord has; anything else on a record came from `extra`.
_BLANK = logging.LogRecord("", logging.INFO, "", 0, "", None, None)
STANDARD_ATTRS = frozenset(vars(_BLANK)) | {"message", "asctime", "taskName"}


def redact_record(record: logging.LogRecord) -> None:
    """Make `record` safe to write, in place. Doing it twice is harmless."""
    if getattr(record, _DONE_ATTR, False):
        return
    record.msg = scrub(_render(record))
    record.args = None
    if record.exc_info:
        exc_type, exc, _ = record.exc_info
        if exc is not None:
            setattr(record, SAFE_ERROR_ATTR, describe_exception(exc))
        elif exc_type is not None:
            setattr(record, SAFE_ERROR_ATTR, SafeException(type_name(exc_type), "", ""))
    record.exc_info = None
    record.exc_text = None
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    for name, value in list(vars(record).items()):
        if name not in STANDARD_ATTRS and not name.startswith("_"):
            setattr(record, name, safe_extra(name, value))
    setattr(record, _DONE_ATTR, True)


def safe_extra(name: str, value: Any, depth: int = 0) -> Any:
    """A version of one `extra` value that is safe to write (see the module doc)."""
    if depth < MAX_DEPTH and isinstance(value, dict):
        return {scrub(str(k)): safe_extra(str(k), v, depth + 1) for k, v in value.items()}
    if depth < MAX_DEPTH and isinstance(value, list | tuple):
        return [safe_extra(name, v, depth + 1) for v in value]
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if name.endswith(MEASURE_SUFFIXES):
            return value
        text = str(value)
        cleaned = scrub(text)
        return value if cleaned == text else cleaned
    if isinstance(value, bytes | bytearray | memoryview):
        return "[redacted:bytes]"
    if isinstance(value, str):
        return scrub(value)
    try:
        return scrub(str(value))
    except Exception:  # noqa: BLE001 - a broken __str__ must not break logging
        return f"[unrepresentable {type_name(type(value))}]"


def _render(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # noqa: BLE001 - bad format args: logging would print them raw otherwise
        return UNFORMATTABLE


class RedactionFilter(logging.Filter):
    """Redacts every record it sees (see `redact_record`); never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True
