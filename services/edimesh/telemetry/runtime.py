"""One call at a service's start sets up logs, masking and tracing; leaving it flushes spans.

    with start_telemetry(TelemetrySettings(service_name="splitter")) as telemetry:
        ...  # telemetry.masker, telemetry.kafka, telemetry.work_span(...)

Or, in an async main: `telemetry = stack.enter_context(start_telemetry(settings))`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from types import TracebackType
from typing import TextIO

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter
from opentelemetry.trace import Span, Tracer
from prometheus_client import CollectorRegistry

from edimesh import __version__
from edimesh.telemetry.logs import configure_logging
from edimesh.telemetry.masking import Masker
from edimesh.telemetry.messaging import KafkaSpans
from edimesh.telemetry.metrics import MeshMetrics, configure_metrics, mesh_metrics
from edimesh.telemetry.settings import TelemetrySettings
from edimesh.telemetry.spans import Attributes, work_span
from edimesh.telemetry.tracing import configure_tracing

INSTRUMENTATION_NAME = "edimesh"

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Telemetry:
    """What a service uses to observe itself without leaking PHI."""

    settings: TelemetrySettings
    masker: Masker
    tracer_provider: TracerProvider
    tracer: Tracer
    kafka: KafkaSpans
    meter_provider: MeterProvider
    metrics: MeshMetrics
    _stopped: threading.Event = field(default_factory=threading.Event, repr=False)

    def work_span(
        self, name: str, attributes: Attributes | None = None
    ) -> AbstractContextManager[Span]:
        """An INTERNAL span around real work (see `spans.work_span`)."""
        return work_span(self.tracer, name, attributes)

    def shutdown(self) -> None:
        """Flush and stop the exporters. Safe to call twice."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()

    def __enter__(self) -> Telemetry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()


def start_telemetry(
    settings: TelemetrySettings,
    *,
    client_id: str | None = None,
    span_exporter: SpanExporter | None = None,
    set_global: bool = True,
    install_excepthooks: bool = True,
    log_stream: TextIO | None = None,
    metrics_registry: CollectorRegistry | None = None,
    metric_readers: Sequence[MetricReader] = (),
) -> Telemetry:
    """Configure JSON logging, build the masker (ConfigError in production without a key),
    then tracing; log the effective settings once, without secrets.

    Tests pass `span_exporter` (an InMemorySpanExporter), `set_global=False`,
    `install_excepthooks=False`, a `log_stream` to read, a fresh `metrics_registry` and
    `metric_readers` (an InMemoryMetricReader). One process, one Telemetry: a second one on
    the global Prometheus registry would report every series twice.
    """
    configure_logging(settings, stream=log_stream, install_excepthooks=install_excepthooks)
    _log.info("telemetry settings", extra={"settings": settings.describe()})
    masker = Masker.from_settings(settings)
    provider = configure_tracing(settings, exporter=span_exporter, set_global=set_global)
    tracer = provider.get_tracer(INSTRUMENTATION_NAME, __version__)
    meters = configure_metrics(settings, registry=metrics_registry, readers=metric_readers)
    return Telemetry(
        settings,
        masker,
        provider,
        tracer,
        KafkaSpans(tracer, masker, client_id),
        meters,
        mesh_metrics(meters),
    )
