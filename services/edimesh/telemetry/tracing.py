"""The tracer provider: resource attributes and exporters chosen by the settings.

- OTLP over HTTP/protobuf (opentelemetry-exporter-otlp-proto-http) when an endpoint is set,
  through a batch processor. HTTP rather than gRPC: no grpcio (a large native wheel with its
  own threads), it passes through ordinary HTTP proxies and ingress, and http/protobuf is the
  protocol the OpenTelemetry specification recommends as the default; every collector takes it
  on port 4318.
- Console (stderr) when `console_traces` is set, for `edimesh local --trace`.
- Otherwise no exporter: spans are still created (trace ids reach the logs and the Kafka
  headers) but go nowhere.

Tests pass `exporter=InMemorySpanExporter()` and `set_global=False`.
"""

from __future__ import annotations

import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)

from edimesh.telemetry import semconv
from edimesh.telemetry.settings import TelemetrySettings


def tracing_resource(settings: TelemetrySettings) -> Resource:
    """service.name, service.version and the deployment environment (under both its current
    and its former attribute name), merged with OTEL_RESOURCE_ATTRIBUTES if set."""
    return Resource.create(
        {
            semconv.SERVICE_NAME: settings.service_name,
            semconv.SERVICE_VERSION: settings.service_version,
            semconv.DEPLOYMENT_ENVIRONMENT_NAME: settings.env,
            semconv.DEPLOYMENT_ENVIRONMENT: settings.env,
        }
    )


def configure_tracing(
    settings: TelemetrySettings,
    *,
    exporter: SpanExporter | None = None,
    set_global: bool = True,
) -> TracerProvider:
    """A tracer provider for this service, exporting as the settings say (plus `exporter`)."""
    provider = TracerProvider(resource=tracing_resource(settings))
    url = settings.otlp_url("traces")
    if url is not None:
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
    if settings.console_traces:
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stderr)))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if set_global:
        trace.set_tracer_provider(provider)
    return provider
