"""JSON logs: one object per line, trace ids inside spans, and no canary whatever the route in."""

from __future__ import annotations

import io
import logging
import sys
import threading

import orjson
import pytest
from opentelemetry import trace

from edimesh.errors import SchemaError
from edimesh.telemetry.logs import configure_logging
from edimesh.telemetry.safe_errors import WITHHELD
from edimesh.telemetry.settings import TelemetrySettings

from . import canaries
from .conftest import JsonLogs, Tracing

log = logging.getLogger("edimesh.tests.telemetry")


def _fail(exc: Exception) -> None:
    raise exc


def test_a_line_is_one_json_object_with_the_standard_fields(json_logs: JsonLogs) -> None:
    log.info("file staged", extra={"size_bytes": 1234})
    (line,) = json_logs.lines()
    assert line["level"] == "INFO"
    assert line["logger"] == "edimesh.tests.telemetry"
    assert line["message"] == "file staged"
    assert line["service"] == "splitter"
    assert line["size_bytes"] == 1234
    assert line["time"].endswith("+00:00")
    assert "trace_id" not in line


def test_a_line_inside_a_span_carries_its_trace_and_span_ids(
    json_logs: JsonLogs, tracing: Tracing
) -> None:
    with tracing.tracer.start_as_current_span("work") as span:
        log.info("inside")
    ctx = span.get_span_context()
    (line,) = json_logs.lines()
    assert line["trace_id"] == trace.format_trace_id(ctx.trace_id)
    assert line["span_id"] == trace.format_span_id(ctx.span_id)


def test_canaries_in_message_args_extra_and_exception_never_reach_the_output(
    json_logs: JsonLogs,
) -> None:
    try:
        _fail(ValueError(f"cannot parse {canaries.SEGMENT} for {canaries.SSN}"))
    except ValueError:
        log.exception(
            "failed on %s for %s born %s",
            canaries.SEGMENT,
            canaries.SSN,
            canaries.BIRTH_DATE,
            extra={
                "member": canaries.MEMBER_ID,
                "control": int(canaries.CONTROL_NUMBER),
                "nested": {"key": canaries.IDEMPOTENCY_KEY, "segs": [canaries.ADDRESS_SEGMENT]},
                "raw": canaries.SEGMENT.encode(),
            },
        )
    log.warning("header " + canaries.ISA)
    log.info("dashed %s", canaries.SSN_DASHED, stack_info=True)
    assert not canaries.leaks(json_logs.text)
    first = json_logs.lines()[0]
    assert first["error.type"] == "ValueError"
    assert first["error.message"] == WITHHELD
    assert "test_logs.py" in first["error.stack"]
    assert first["raw"] == "[redacted:bytes]"
    assert first["control"] == "[redacted:id]"
    assert "Traceback" not in json_logs.text


def test_an_edimesh_error_keeps_its_scrubbed_message_and_names_its_causes(
    json_logs: JsonLogs,
) -> None:
    try:
        try:
            int(canaries.LAST_NAME)
        except ValueError as exc:
            raise SchemaError(f"DMG02 is not a date: {canaries.BIRTH_DATE}") from exc
    except SchemaError:
        log.exception("set quarantined")
    (line,) = json_logs.lines()
    assert line["error.type"] == "edimesh.errors.SchemaError"
    assert line["error.message"] == "DMG02 is not a date: [redacted:date] (caused by ValueError)"
    assert not canaries.leaks(json_logs.text)


def test_measures_keep_their_numbers_and_other_numbers_are_judged_as_text(
    json_logs: JsonLogs,
) -> None:
    big = int(canaries.SSN)
    log.info(
        "sizes",
        extra={"size_bytes": big, "kafka_offset": big, "attempt": 2, "amount": big, "sets": 12},
    )
    (line,) = json_logs.lines()
    assert (line["size_bytes"], line["kafka_offset"], line["attempt"]) == (big, big, 2)
    assert line["amount"] == "[redacted:id]"
    assert line["sets"] == 12


def test_bad_format_args_are_not_printed_raw(
    json_logs: JsonLogs, capsys: pytest.CaptureFixture[str]
) -> None:
    log.info("%d sets", canaries.LAST_NAME)
    (line,) = json_logs.lines()
    assert line["message"] == "[unformattable log message]"
    assert canaries.LAST_NAME not in json_logs.text + capsys.readouterr().err


def test_a_failed_write_is_reported_without_the_record() -> None:
    class FlakyStream(io.StringIO):
        failures = 1

        def write(self, s: str) -> int:
            if self.failures:
                self.failures -= 1
                raise ValueError(s)
            return super().write(s)

    stream = FlakyStream()
    configure_logging(TelemetrySettings(), stream=stream, install_excepthooks=False)
    log.warning("member %s", canaries.MEMBER_ID)
    (line,) = [orjson.loads(x) for x in stream.getvalue().splitlines()]
    assert line["message"] == "a log record could not be written"
    assert line["error.type"] == "ValueError"
    assert canaries.MEMBER_ID not in stream.getvalue()


def test_library_loggers_are_quiet_and_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    stream = io.StringIO()
    configure_logging(
        TelemetrySettings(log_level="DEBUG"), stream=stream, install_excepthooks=False
    )
    logging.getLogger("aiokafka.consumer.fetcher").info("fetched %r", canaries.SEGMENT.encode())
    logging.getLogger("asyncssh.sftp").info("Opening file /in/claims_%s.837", canaries.SSN)
    logging.getLogger("asyncssh").debug("packet", extra={"packet": canaries.SEGMENT.encode()})
    logging.getLogger("aiokafka.conn").warning("lost /in/claims_%s.837", canaries.BIRTH_DATE)
    logging.getLogger("asyncssh").warning("rekey", extra={"packet": canaries.SEGMENT.encode()})
    logging.getLogger("edimesh.debugging").debug("our own debug lines still show")
    lines = [orjson.loads(x) for x in stream.getvalue().splitlines()]
    assert [x["logger"] for x in lines] == ["aiokafka.conn", "asyncssh", "edimesh.debugging"]
    assert lines[0]["message"] == "lost /in/claims_[redacted:date].837"
    assert lines[1]["packet"] == "[redacted:bytes]"
    assert not canaries.leaks(stream.getvalue() + capsys.readouterr().err)


def test_uncaught_exceptions_are_logged_safely_not_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stream = io.StringIO()
    configure_logging(TelemetrySettings(), stream=stream, install_excepthooks=True)
    try:
        _fail(RuntimeError(canaries.SEGMENT))
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    worker = threading.Thread(target=_raise_canary)
    worker.start()
    worker.join()
    lines = [orjson.loads(x) for x in stream.getvalue().splitlines()]
    assert [(x["level"], x["error.type"]) for x in lines] == [
        ("CRITICAL", "RuntimeError"),
        ("CRITICAL", "KeyError"),
    ]
    assert not canaries.leaks(stream.getvalue() + capsys.readouterr().err)


def _raise_canary() -> None:
    raise KeyError(canaries.SSN)


def test_configuring_twice_leaves_one_handler() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging(TelemetrySettings(), stream=first, install_excepthooks=False)
    configure_logging(TelemetrySettings(), stream=second, install_excepthooks=False)
    log.info("once")
    assert first.getvalue() == ""
    assert len(second.getvalue().splitlines()) == 1
