"""Structured JSON logs on stderr, one object per line, with the current trace and span ids.

    configure_logging(settings)
    log = logging.getLogger(__name__)
    log.info("file staged", extra={"file": masker.mask(MaskLabel.FILE_NAME, name),
                                   "size_bytes": size})
    # {"time":"...","level":"INFO","logger":"edimesh.transfer.service","message":"file staged",
    #  "service":"transfer","trace_id":"4bf9...","span_id":"00f0...","file":"k1:file:...",
    #  "size_bytes":1234}

Plain stdlib logging with an orjson formatter: no extra dependency, and every library that logs
through stdlib (aiokafka, asyncssh, asyncio) goes through the same redaction. stderr, because
stdout belongs to command output (`edimesh check` reports). Exceptions appear as `error.type`,
`error.message` (safe) and `error.stack` (frames only), never as a formatted traceback.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

import orjson
from opentelemetry import trace

from edimesh.telemetry.log_filter import (
    SAFE_ERROR_ATTR,
    STANDARD_ATTRS,
    RedactionFilter,
    redact_record,
)
from edimesh.telemetry.safe_errors import SafeException, type_name
from edimesh.telemetry.settings import TelemetrySettings

# Loggers of libraries that may log remote paths, hosts' banners or payloads at INFO/DEBUG.
QUIET_LOGGERS = ("asyncssh", "asyncssh.sftp", "aiokafka")

_log = logging.getLogger(__name__)


class JsonFormatter(logging.Formatter):
    """One JSON object per record. Redacts the record first if no filter did."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        redact_record(record)
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self._service,
        }
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            out["trace_id"] = trace.format_trace_id(ctx.trace_id)
            out["span_id"] = trace.format_span_id(ctx.span_id)
        error = getattr(record, SAFE_ERROR_ATTR, None)
        if isinstance(error, SafeException):
            out["error.type"] = error.type
            out["error.message"] = error.message
            if error.stack:
                out["error.stack"] = error.stack
        if record.stack_info:
            out["stack"] = record.stack_info
        for name, value in vars(record).items():
            if name not in STANDARD_ATTRS and not name.startswith("_") and name not in out:
                out[name] = value
        return orjson.dumps(out, default=str).decode("utf-8")


class JsonLogHandler(logging.StreamHandler[TextIO]):
    """The handler `configure_logging` installs on the root logger."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - stdlib name
        """Report a failed write without the record's message or args (the stdlib prints both)."""
        exc = sys.exc_info()[1]
        line = {
            "level": "ERROR",
            "logger": __name__,
            "message": "a log record could not be written",
            "error.type": type_name(type(exc)) if exc is not None else "unknown",
        }
        with contextlib.suppress(OSError, ValueError):  # a closed stream: nowhere left to say it
            self.stream.write(orjson.dumps(line).decode("utf-8") + self.terminator)


def configure_logging(
    settings: TelemetrySettings,
    *,
    stream: TextIO | None = None,
    install_excepthooks: bool = True,
) -> JsonLogHandler:
    """Send every log record through redaction to one JSON handler on the root logger.

    Replaces a handler installed by an earlier call. Quietens the library loggers that could
    print remote paths or payloads. With `install_excepthooks`, uncaught exceptions (main
    thread and other threads) are logged the same way instead of printed as raw tracebacks.
    """
    handler = JsonLogHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter(settings.service_name))
    handler.addFilter(RedactionFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, JsonLogHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in QUIET_LOGGERS:
        quiet = logging.getLogger(name)
        quiet.setLevel(max(logging.WARNING, logging.getLevelNamesMapping()[settings.log_level]))
        if not any(isinstance(f, RedactionFilter) for f in quiet.filters):
            quiet.addFilter(RedactionFilter())
    if install_excepthooks:
        sys.excepthook = _log_uncaught
        threading.excepthook = _log_uncaught_in_thread
    return handler


def _log_uncaught(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    _log.critical("uncaught exception", exc_info=(exc_type, exc, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        _log.critical("uncaught exception in a thread: %s", type_name(args.exc_type))
        return
    _log.critical(
        "uncaught exception in a thread",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )
