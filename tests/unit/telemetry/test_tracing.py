"""The tracer provider: resource attributes, and the exporter picked by the settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from edimesh.telemetry import tracing
from edimesh.telemetry.settings import TelemetrySettings
from edimesh.telemetry.tracing import configure_tracing


class FakeOtlp(SpanExporter):
    """Stands in for the OTLP exporter: records its endpoint and what it was given."""

    endpoints: list[str | None] = []  # noqa: RUF012 - shared on purpose, reset per test
    exported: list[str] = []  # noqa: RUF012

    def __init__(self, endpoint: str | None = None, **_: Any) -> None:
        FakeOtlp.endpoints.append(endpoint)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        FakeOtlp.exported += [s.name for s in spans]
        return SpanExportResult.SUCCESS


@pytest.fixture
def fake_otlp(monkeypatch: pytest.MonkeyPatch) -> type[FakeOtlp]:
    FakeOtlp.endpoints, FakeOtlp.exported = [], []
    monkeypatch.setattr(tracing, "OTLPSpanExporter", FakeOtlp)
    return FakeOtlp


def test_the_resource_names_the_service_version_and_environment() -> None:
    settings = TelemetrySettings(service_name="transfer", service_version="1.2.3", env="staging")
    provider = configure_tracing(settings, set_global=False)
    attributes = provider.resource.attributes
    assert attributes["service.name"] == "transfer"
    assert attributes["service.version"] == "1.2.3"
    assert attributes["deployment.environment"] == "staging"
    assert attributes["deployment.environment.name"] == "staging"
    provider.shutdown()


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        (None, None),
        ("http://collector:4318", "http://collector:4318/v1/traces"),
        ("https://collector.example:4318/", "https://collector.example:4318/v1/traces"),
        ("http://collector:4318/v1/traces", "http://collector:4318/v1/traces"),
    ],
)
def test_the_otlp_url_is_the_base_plus_the_traces_path(
    endpoint: str | None, url: str | None
) -> None:
    assert TelemetrySettings.model_validate({"otlp_endpoint": endpoint}).otlp_url("traces") == url


def test_an_endpoint_switches_on_otlp_export(fake_otlp: type[FakeOtlp]) -> None:
    settings = TelemetrySettings.model_validate({"otlp_endpoint": "http://collector:4318"})
    provider = configure_tracing(settings, set_global=False)
    with provider.get_tracer("t").start_as_current_span("send edi.transactions"):
        pass
    provider.shutdown()  # flushes the batch processor
    assert fake_otlp.endpoints == ["http://collector:4318/v1/traces"]
    assert fake_otlp.exported == ["send edi.transactions"]


def test_without_endpoint_or_console_nothing_is_exported(
    fake_otlp: type[FakeOtlp], capsys: pytest.CaptureFixture[str]
) -> None:
    provider = configure_tracing(TelemetrySettings(), set_global=False)
    with provider.get_tracer("t").start_as_current_span("quiet") as span:
        assert span.get_span_context().is_valid  # ids still exist for logs and headers
    provider.shutdown()
    assert fake_otlp.endpoints == []
    assert "quiet" not in capsys.readouterr().err


def test_console_export_writes_spans_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    provider = configure_tracing(TelemetrySettings(console_traces=True), set_global=False)
    with provider.get_tracer("t").start_as_current_span("process edi.files.staged"):
        pass
    provider.shutdown()
    captured = capsys.readouterr()
    assert "process edi.files.staged" in captured.err
    assert captured.out == ""


def test_an_extra_exporter_receives_spans() -> None:
    memory = InMemorySpanExporter()
    provider = configure_tracing(TelemetrySettings(), exporter=memory, set_global=False)
    with provider.get_tracer("t").start_as_current_span("split file"):
        pass
    assert [s.name for s in memory.get_finished_spans()] == ["split file"]
    provider.shutdown()
