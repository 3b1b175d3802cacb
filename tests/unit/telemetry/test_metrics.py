"""Mesh metrics: instruments, labels from closed sets, Prometheus text and OTLP export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.metrics.export import (
    InMemoryMetricReader,
    MetricExporter,
    MetricExportResult,
    MetricsData,
)
from prometheus_client import CollectorRegistry

from edimesh.telemetry import metrics as metrics_module
from edimesh.telemetry.metrics import (
    AckKind,
    Outcome,
    RouteMeter,
    Stage,
    configure_metrics,
    mesh_metrics,
    noop_metrics,
    prometheus_exposition,
)
from edimesh.telemetry.settings import TelemetrySettings
from tests.unit.telemetry.metric_points import metric_points


class Meters:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.reader = InMemoryMetricReader()
        self.provider = configure_metrics(
            TelemetrySettings(service_name="validator"),
            registry=self.registry,
            readers=[self.reader],
        )
        self.metrics = mesh_metrics(self.provider)

    def points(self, name: str) -> list[tuple[dict[str, Any], Any]]:
        """(attributes, value or histogram count) of every data point of metric `name`."""
        return metric_points(self.reader, name)


@pytest.fixture
def meters() -> Iterator[Meters]:
    m = Meters()
    yield m
    m.provider.shutdown()


def test_routes_are_counted_by_outcome_and_topic(meters: Meters) -> None:
    meters.metrics.routed(Outcome.VALIDATED, "edi.validated")
    meters.metrics.routed(Outcome.VALIDATED, "edi.validated")
    meters.metrics.routed(Outcome.DLQ, "edi.dlq")
    assert sorted(meters.points("edimesh.routed"), key=repr) == sorted(
        [
            ({"edimesh.route": "validated", "messaging.destination.name": "edi.validated"}, 2),
            ({"edimesh.route": "dlq", "messaging.destination.name": "edi.dlq"}, 1),
        ],
        key=repr,
    )


def test_a_route_outside_the_closed_set_is_refused(meters: Meters) -> None:
    with pytest.raises(ValueError, match="is not a valid Outcome"):
        meters.metrics.routed("912873465", "edi.validated")  # type: ignore[arg-type]


def test_stage_time_is_recorded_even_when_the_stage_fails(meters: Meters) -> None:
    with meters.metrics.time_stage(Stage.VALIDATE):
        pass
    with pytest.raises(RuntimeError), meters.metrics.time_stage(Stage.VALIDATE):
        raise RuntimeError
    assert meters.points("edimesh.stage.duration") == [({"edimesh.stage": "validate"}, 2)]


def test_transfers_and_retries_are_counted(meters: Meters) -> None:
    meters.metrics.transferred(files=1, size_bytes=4096)
    meters.metrics.retried("sftp.read")
    assert meters.points("edimesh.files.transferred") == [({}, 1)]
    assert meters.points("edimesh.bytes.transferred") == [({}, 4096)]
    assert meters.points("edimesh.retries") == [({"edimesh.operation": "sftp.read"}, 1)]


@pytest.mark.parametrize("operation", ["912873465", "sftp read", "/inbound/x.837", ""])
def test_a_retry_operation_must_be_a_code_name(meters: Meters, operation: str) -> None:
    with pytest.raises(ValueError, match="code name"):
        meters.metrics.retried(operation)


def test_consumer_lag_is_reported_per_partition_until_forgotten(meters: Meters) -> None:
    meters.metrics.set_lag("edi.transactions", 3, "validator", 17)
    meters.metrics.set_lag("edi.transactions", 3, "validator", 12)
    expected = {
        "messaging.destination.name": "edi.transactions",
        "messaging.destination.partition.id": "3",
        "messaging.consumer.group.name": "validator",
    }
    assert meters.points("edimesh.consumer.lag") == [(expected, 12)]
    meters.metrics.forget_lag("edi.transactions", 3, "validator")
    assert meters.points("edimesh.consumer.lag") == []


def test_prometheus_text_carries_the_series_and_the_service(meters: Meters) -> None:
    meters.metrics.routed(Outcome.QUARANTINE, "edi.quarantine")
    body, content_type = prometheus_exposition(meters.registry)
    text = body.decode()
    assert content_type.startswith("text/plain")
    assert "edimesh_routed_total" in text
    assert 'edimesh_route="quarantine"' in text
    assert 'service_name="validator"' in text


class FakeOtlp(MetricExporter):
    endpoints: list[str | None] = []  # noqa: RUF012 - shared on purpose, reset per test
    exported: int = 0

    def __init__(self, endpoint: str | None = None, **_: Any) -> None:
        super().__init__(preferred_temporality={}, preferred_aggregation={})
        FakeOtlp.endpoints.append(endpoint)

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **_: Any
    ) -> MetricExportResult:
        FakeOtlp.exported += 1
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **_: Any) -> None:
        return None


def test_an_endpoint_adds_otlp_export_on_the_metrics_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    FakeOtlp.endpoints, FakeOtlp.exported = [], 0
    monkeypatch.setattr(metrics_module, "OTLPMetricExporter", FakeOtlp)
    settings = TelemetrySettings.model_validate({"otlp_endpoint": "http://collector:4318"})
    provider = configure_metrics(settings, registry=CollectorRegistry())
    mesh_metrics(provider).routed(Outcome.ACK, "edi.acks")
    provider.shutdown()  # a last collection goes out
    assert FakeOtlp.endpoints == ["http://collector:4318/v1/metrics"]
    assert FakeOtlp.exported >= 1


def test_acks_are_routes_with_their_type(meters: Meters) -> None:
    meters.metrics.acked("edi.acks", AckKind.X999)
    meters.metrics.acked("edi.acks", AckKind.TA1, count=2)
    assert sorted(meters.points("edimesh.routed"), key=repr) == sorted(
        [
            ({"edimesh.route": "ack", "messaging.destination.name": "edi.acks",
              "edimesh.ack.type": "999"}, 1),
            ({"edimesh.route": "ack", "messaging.destination.name": "edi.acks",
              "edimesh.ack.type": "ta1"}, 2),
        ],
        key=repr,
    )  # fmt: skip


def test_an_ack_type_outside_the_closed_set_is_refused(meters: Meters) -> None:
    with pytest.raises(ValueError, match="is not a valid AckKind"):
        meters.metrics.acked("edi.acks", "000000001")  # type: ignore[arg-type]


def test_route_meter_counts_committed_messages_of_route_topics_only(meters: Meters) -> None:
    meter = RouteMeter(
        meters.metrics,
        {"edi.validated": Outcome.VALIDATED, "edi.acks": AckKind.TA1, "edi.dlq": Outcome.DLQ},
    )
    meter.committed({"edi.validated": 3, "edi.acks": 1, "edi.splitter.progress": 5})
    meter.committed({"edi.validated": 1, "edi.dlq": 0})
    assert sorted(meters.points("edimesh.routed"), key=repr) == sorted(
        [
            ({"edimesh.route": "validated", "messaging.destination.name": "edi.validated"}, 4),
            ({"edimesh.route": "ack", "messaging.destination.name": "edi.acks",
              "edimesh.ack.type": "ta1"}, 1),
        ],
        key=repr,
    )  # fmt: skip


def test_noop_metrics_record_nothing_and_accept_every_call() -> None:
    metrics = noop_metrics()
    metrics.routed(Outcome.VALIDATED, "edi.validated")
    metrics.acked("edi.acks", AckKind.X999)
    metrics.retried("validate.set")
    with metrics.time_stage(Stage.SPLIT):
        pass
    with pytest.raises(ValueError, match="code name"):
        metrics.retried("/inbound/x.837")  # the closed sets hold without a provider too
