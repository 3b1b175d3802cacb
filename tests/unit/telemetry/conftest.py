"""Fixtures for telemetry tests: a clean environment, in-memory tracing, captured JSON logs."""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Tracer
from pydantic import SecretStr

from edimesh.telemetry.logs import QUIET_LOGGERS, configure_logging
from edimesh.telemetry.masking import Masker
from edimesh.telemetry.messaging import KafkaSpans
from edimesh.telemetry.settings import TelemetrySettings

TEST_KEY = "test-masking-key-0123456789-abcdefghijklmnop"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No EDIMESH_* or OTEL_* variable from the machine leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("EDIMESH_", "OTEL_")):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Undo what configure_logging does to the root logger, library loggers and hooks."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {
        n: (logging.getLogger(n).level, list(logging.getLogger(n).filters)) for n in QUIET_LOGGERS
    }
    hooks = (sys.excepthook, threading.excepthook)
    yield
    for h in root.handlers:
        if h not in handlers:
            root.removeHandler(h)
    root.setLevel(level)
    for name, (lvl, filters) in quiet.items():
        lg = logging.getLogger(name)
        lg.setLevel(lvl)
        lg.filters[:] = filters
    sys.excepthook, threading.excepthook = hooks


@pytest.fixture
def settings() -> TelemetrySettings:
    return TelemetrySettings(service_name="splitter", env="test")


@pytest.fixture
def masker() -> Masker:
    return Masker("k1", SecretStr(TEST_KEY))


@dataclass
class Tracing:
    provider: TracerProvider
    exporter: InMemorySpanExporter
    tracer: Tracer


@pytest.fixture
def tracing() -> Iterator[Tracing]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield Tracing(provider, exporter, provider.get_tracer("test"))
    provider.shutdown()


@pytest.fixture
def kafka(tracing: Tracing, masker: Masker) -> KafkaSpans:
    return KafkaSpans(tracing.tracer, masker)


class JsonLogs:
    """The JSON lines written by the handler configure_logging installed."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for line in self.text.splitlines():
            parsed = orjson.loads(line)
            assert isinstance(parsed, dict)
            out.append(parsed)
        return out


@pytest.fixture
def json_logs(settings: TelemetrySettings) -> JsonLogs:
    stream = io.StringIO()
    configure_logging(settings, stream=stream, install_excepthooks=False)
    return JsonLogs(stream)
