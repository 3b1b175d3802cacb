"""The splitter's and validator's telemetry seams: messages are counted by route when their
transaction commits (not when it fails), stage time is recorded inside the process span."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from edimesh.mesh.topics import mesh_topics
from edimesh.splitter.observe import SplitterTelemetry
from edimesh.telemetry import Telemetry, TelemetrySettings, start_telemetry
from edimesh.validator.observe import ValidatorTelemetry
from tests.unit.telemetry.metric_points import metric_points

TOPICS = mesh_topics("p.")


@dataclass(frozen=True)
class Record:
    topic: str = TOPICS.transactions.name
    partition: int = 0
    offset: int = 7
    key: bytes | None = b"SENDER|RECEIVER|000000001|1|0001"
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass
class Captured:
    telemetry: Telemetry
    reader: InMemoryMetricReader

    def points(self, name: str) -> list[tuple[dict[str, Any], Any]]:
        return metric_points(self.reader, name)


@pytest.fixture
def cap() -> Iterator[Captured]:
    reader = InMemoryMetricReader()
    telemetry = start_telemetry(
        TelemetrySettings(service_name="validator", masking_key=SecretStr("k" * 40)),
        span_exporter=InMemorySpanExporter(),
        set_global=False,
        install_excepthooks=False,
        metrics_registry=CollectorRegistry(),
        metric_readers=[reader],
    )
    yield Captured(telemetry, reader)
    telemetry.shutdown()


def routed(cap: Captured) -> dict[str, int]:
    return {a["edimesh.route"]: v for a, v in cap.points("edimesh.routed")}


def test_validator_counts_an_output_once_its_transaction_commits(cap: Captured) -> None:
    seam = ValidatorTelemetry.of(cap.telemetry, "validator", TOPICS)
    with seam.process(Record()):
        committed, _ = seam.send(TOPICS.validated.name, [])
        failed, _ = seam.send(TOPICS.quarantine.name, [])
    failed.end(RuntimeError("commit failed"))
    assert routed(cap) == {}
    committed.end(None)
    assert routed(cap) == {"validated": 1}


def test_validator_times_each_set_inside_its_span_and_counts_retries(cap: Captured) -> None:
    seam = ValidatorTelemetry.of(cap.telemetry, "validator", TOPICS)
    with seam.process(Record()):
        seam.retried()
    assert cap.points("edimesh.stage.duration") == [({"edimesh.stage": "validate"}, 1)]
    assert cap.points("edimesh.retries") == [({"edimesh.operation": "validate.set"}, 1)]


def test_splitter_counts_sets_quarantine_and_ta1s_but_not_its_own_state(cap: Captured) -> None:
    seam = SplitterTelemetry.of(cap.telemetry, "splitter", TOPICS)
    record = Record(topic=TOPICS.files_staged.name, key=b"ab" * 32)
    with seam.process(record):
        batch = seam.batch()
        for topic in (TOPICS.transactions, TOPICS.transactions, TOPICS.quarantine, TOPICS.acks,
                      TOPICS.splitter_progress, TOPICS.group_manifests):  # fmt: skip
            batch.headers(topic.name, [])
    batch.end(None)
    seam.dead_lettered()
    assert routed(cap) == {"split": 2, "quarantine": 1, "ack": 1, "dlq": 1}
    assert cap.points("edimesh.stage.duration") == [({"edimesh.stage": "split"}, 1)]


def test_without_telemetry_the_seams_record_nothing_and_still_work() -> None:
    seam = ValidatorTelemetry.of(None, "validator", TOPICS)
    with seam.process(Record()):
        spans, headers = seam.send(TOPICS.validated.name, [])
    spans.end(None)
    assert headers == []  # a no-op tracer has no context to carry
