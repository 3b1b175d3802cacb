"""Safe exception recording and internal work spans."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry.trace import StatusCode

from edimesh.errors import TransientError
from edimesh.telemetry.safe_errors import WITHHELD
from edimesh.telemetry.spans import Attributes, record_exception_safely, work_span

from . import canaries
from .conftest import Tracing
from .test_messaging import span_text


def _fail(exc: Exception) -> None:
    raise exc


def test_a_foreign_exception_leaves_only_its_class(tracing: Tracing) -> None:
    with tracing.tracer.start_as_current_span("validate set") as span:
        try:
            _fail(ValueError(f"{canaries.SEGMENT} {canaries.SSN}"))
        except ValueError as exc:
            record_exception_safely(span, exc)
    (finished,) = tracing.exporter.get_finished_spans()
    (event,) = finished.events
    attributes = dict(event.attributes or {})
    assert set(attributes) == {"exception.type", "exception.message", "exception.stacktrace"}
    assert (attributes["exception.type"], attributes["exception.message"]) == (
        "ValueError",
        WITHHELD,
    )
    assert "test_spans.py" in str(attributes["exception.stacktrace"])
    assert finished.status.description == f"ValueError: {WITHHELD}"
    assert not canaries.leaks(span_text([finished]))


def test_a_work_span_records_a_failure_safely_and_lets_it_propagate(tracing: Tracing) -> None:

    def download() -> None:
        with work_span(tracing.tracer, "download"):
            try:
                _fail(OSError(f"/inbound/claims_{canaries.BIRTH_DATE}.837: no such file"))
            except OSError as exc:
                raise TransientError("SFTP read failed") from exc

    with pytest.raises(TransientError):
        download()
    (span,) = tracing.exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "edimesh.errors.TransientError"
    assert span.events[0].attributes is not None
    assert span.events[0].attributes["exception.message"] == (
        "SFTP read failed (caused by OSError)"
    )
    assert not canaries.leaks(span_text([span]))


def test_work_span_attributes_are_scrubbed(tracing: Tracing) -> None:
    attributes: Attributes = {
        "edimesh.transaction_set": "837",
        "edimesh.guide": "005010X222A1",
        "edimesh.claims": 12,
        "edimesh.note": f"first segment {canaries.SEGMENT}",
        "edimesh.ids": [canaries.SSN, "ok"],
    }
    with work_span(tracing.tracer, "validate set", attributes):
        pass
    (span,) = tracing.exporter.get_finished_spans()
    got = dict(span.attributes or {})
    assert got["edimesh.transaction_set"] == "837"
    assert got["edimesh.guide"] == "005010X222A1"
    assert got["edimesh.claims"] == 12
    assert got["edimesh.note"] == "first segment [redacted:x12]"
    assert got["edimesh.ids"] == ("[redacted:id]", "ok")


def test_cancellation_is_not_a_failure(tracing: Tracing) -> None:
    with pytest.raises(asyncio.CancelledError), work_span(tracing.tracer, "split file"):
        raise asyncio.CancelledError
    (span,) = tracing.exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.UNSET
    assert not span.events
