"""Metrics: a meter provider read by Prometheus (and OTLP when configured), and the mesh's
instruments, whose labels come from closed sets so no identifier can become a label.

    metrics = telemetry.metrics
    metrics.routed(Route.QUARANTINE, topic)                  # per-route counters
    with metrics.time_stage(Stage.VALIDATE): ...             # stage latency histogram
    metrics.transferred(files=1, size_bytes=n)               # files and bytes transferred
    metrics.retried("sftp.read")                             # retries, by operation code name
    metrics.set_lag(topic, partition, group, lag)            # consumer lag per partition
    metrics.acked(acks_topic, AckKind.X999)                  # acknowledgments sent

Services count routed messages when their transaction commits, not when they are sent:
`RouteMeter(metrics, {topic: Outcome...}).committed(counts)` (see the splitter's and the
validator's observe modules), so a batch that aborts and is retried is counted once.

The Prometheus text for a scrape comes from `prometheus_exposition(registry)`; the HTTP server
that serves it (with liveness and readiness) is the services' health endpoint.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.metrics import (
    CallbackOptions,
    Counter,
    Histogram,
    Meter,
    NoOpMeter,
    Observation,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from edimesh import __version__
from edimesh.telemetry import semconv
from edimesh.telemetry.settings import TelemetrySettings
from edimesh.telemetry.tracing import tracing_resource

ROUTE_ATTR = "edimesh.route"
STAGE_ATTR = "edimesh.stage"
OPERATION_ATTR = "edimesh.operation"
ACK_TYPE_ATTR = "edimesh.ack.type"
# Seconds: a set validates in milliseconds, a large file downloads in minutes.
STAGE_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0)
_OPERATION = re.compile(r"^[a-z][a-z0-9_.]{0,31}$")


class Outcome(StrEnum):
    """Where a transaction set (or an acknowledgment) went."""

    VALIDATED = "validated"
    QUARANTINE = "quarantine"
    DLQ = "dlq"
    ACK = "ack"
    SPLIT = "split"  # a TransactionSet the splitter emitted for validation


class AckKind(StrEnum):
    """The acknowledgment types on edi.acks."""

    X999 = "999"
    TA1 = "ta1"


class Stage(StrEnum):
    """The timed pieces of work."""

    DOWNLOAD = "download"
    STAGE = "stage"
    SPLIT = "split"
    VALIDATE = "validate"
    ACK = "ack"
    PUBLISH = "publish"


@dataclass(frozen=True, slots=True)
class MeshMetrics:
    """The instruments every service records to (each uses the ones that apply to it)."""

    routed_total: Counter
    stage_duration: Histogram
    files_total: Counter
    bytes_total: Counter
    retries_total: Counter
    # Latest lag per (topic, partition, group), observed at each collection.
    lag: dict[tuple[str, int, str], int] = field(default_factory=dict)

    @classmethod
    def create(cls, meter: Meter) -> MeshMetrics:
        metrics = cls(
            meter.create_counter("edimesh.routed", "{message}", "Messages routed, by outcome"),
            meter.create_histogram(
                "edimesh.stage.duration",
                "s",
                "Duration of each stage of work",
                explicit_bucket_boundaries_advisory=STAGE_BUCKETS,
            ),
            meter.create_counter("edimesh.files.transferred", "{file}", "Files staged"),
            meter.create_counter("edimesh.bytes.transferred", "By", "Bytes staged"),
            meter.create_counter("edimesh.retries", "{retry}", "Retries, by operation"),
        )
        meter.create_observable_gauge(
            "edimesh.consumer.lag",
            [metrics.observe_lag],
            "{message}",
            "Messages behind the end of each assigned partition",
        )
        return metrics

    def routed(self, outcome: Outcome, topic: str, count: int = 1) -> None:
        self.routed_total.add(
            count, {ROUTE_ATTR: Outcome(outcome).value, semconv.MESSAGING_DESTINATION_NAME: topic}
        )

    def acked(self, topic: str, kind: AckKind, count: int = 1) -> None:
        """Count acknowledgments committed to `topic` (the acknowledger's 999s, the splitter's
        TA1s): the `edimesh.routed` counter with route "ack" and the ack type."""
        self.routed_total.add(
            count,
            {
                ROUTE_ATTR: Outcome.ACK.value,
                semconv.MESSAGING_DESTINATION_NAME: topic,
                ACK_TYPE_ATTR: AckKind(kind).value,
            },
        )

    @contextmanager
    def time_stage(self, stage: Stage) -> Iterator[None]:
        """Record how long the block took, whether it succeeded or not."""
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.stage_duration.record(elapsed, {STAGE_ATTR: Stage(stage).value})

    def transferred(self, *, files: int, size_bytes: int) -> None:
        self.files_total.add(files)
        self.bytes_total.add(size_bytes)

    def retried(self, operation: str) -> None:
        """Count one retry of `operation`, a code name such as "sftp.read" (never data)."""
        if not _OPERATION.match(operation):
            raise ValueError("retry operation must be a code name: a-z, 0-9, '_' or '.'")
        self.retries_total.add(1, {OPERATION_ATTR: operation})

    def set_lag(self, topic: str, partition: int, group: str, lag: int) -> None:
        """The consumer's lag on one partition, as of now."""
        self.lag[(topic, partition, group)] = lag

    def forget_lag(self, topic: str, partition: int, group: str) -> None:
        """Stop reporting a partition (revoked in a rebalance)."""
        self.lag.pop((topic, partition, group), None)

    def observe_lag(self, _options: CallbackOptions) -> Iterable[Observation]:
        for (topic, partition, group), lag in dict(self.lag).items():
            yield Observation(
                lag,
                {
                    semconv.MESSAGING_DESTINATION_NAME: topic,
                    semconv.MESSAGING_DESTINATION_PARTITION_ID: str(partition),
                    semconv.MESSAGING_CONSUMER_GROUP_NAME: group,
                },
            )


class RouteMeter:
    """Counts committed messages by destination topic; topics not in `routes` (progress,
    ledgers, manifests) are not routes and are not counted. Runs once per output message, so
    each topic's label set is built once, here."""

    def __init__(self, metrics: MeshMetrics, routes: Mapping[str, Outcome | AckKind]) -> None:
        self.metrics = metrics
        self._labels: dict[str, dict[str, str]] = {}
        for topic, route in routes.items():
            labels = {semconv.MESSAGING_DESTINATION_NAME: topic}
            if isinstance(route, AckKind):
                labels |= {ROUTE_ATTR: Outcome.ACK.value, ACK_TYPE_ATTR: AckKind(route).value}
            else:
                labels[ROUTE_ATTR] = Outcome(route).value
            self._labels[topic] = labels

    def committed(self, counts: Mapping[str, int]) -> None:
        """`counts`: messages per topic in a transaction that has just committed."""
        for topic, count in counts.items():
            labels = self._labels.get(topic)
            if labels is not None and count > 0:
                self.metrics.routed_total.add(count, labels)


def configure_metrics(
    settings: TelemetrySettings,
    *,
    registry: CollectorRegistry | None = None,
    readers: Sequence[MetricReader] = (),
) -> MeterProvider:
    """A meter provider read by Prometheus (into `registry`, default the global one), by OTLP
    when an endpoint is configured (every OTEL_METRIC_EXPORT_INTERVAL, 60 s by default), and by
    `readers` (tests pass an InMemoryMetricReader). It is not made the global provider: the
    mesh's instruments come from `MeshMetrics`, not from library instrumentation."""
    all_readers: list[MetricReader] = [
        PrometheusMetricReader(registry=registry if registry is not None else REGISTRY),
        *readers,
    ]
    url = settings.otlp_url("metrics")
    if url is not None:
        all_readers.append(PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=url)))
    return MeterProvider(resource=tracing_resource(settings), metric_readers=all_readers)


def mesh_metrics(provider: MeterProvider) -> MeshMetrics:
    return MeshMetrics.create(provider.get_meter("edimesh", __version__))


def noop_metrics() -> MeshMetrics:
    """Instruments that record nothing (a service run without telemetry: tests, embedding)."""
    return MeshMetrics.create(NoOpMeter("edimesh"))


def prometheus_exposition(registry: CollectorRegistry | None = None) -> tuple[bytes, str]:
    """The body and content type of a Prometheus scrape of `registry` (default: global)."""
    return generate_latest(registry if registry is not None else REGISTRY), CONTENT_TYPE_LATEST
