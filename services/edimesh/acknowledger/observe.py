"""The acknowledger's one seam to telemetry.

- `process(record)`: a `process <topic>` CONSUMER span per manifest or result, child of the
  producer's span (its `traceparent`); the key attribute is the masked group key.
- `send(topic, headers)`: a 999's (or dead letter's) `send <topic>` PRODUCER span, ended when its
  transaction commits or fails; committed 999s and dead letters are counted by route.
- `token(group_key)`: the masked group key for a log line (never the key itself).

Without a Telemetry (tests, embedding), spans are no-ops and tokens use a throwaway key.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span

from edimesh.mesh.batch_trace import BatchTrace, Headers
from edimesh.mesh.telemetry_parts import TelemetryParts
from edimesh.mesh.topics import MeshTopics
from edimesh.telemetry import (
    AckKind,
    KafkaSpans,
    Masker,
    MaskLabel,
    MeshMetrics,
    Outcome,
    RouteMeter,
    Telemetry,
    noop_metrics,
)
from edimesh.telemetry.messaging import ConsumedRecord


class _CountedSend(BatchTrace):
    def __init__(self, spans: KafkaSpans, meter: RouteMeter) -> None:
        super().__init__(spans.tracer, otel_context.get_current(), spans.client_id)
        self._meter = meter

    def end(self, failure: BaseException | None) -> None:
        if failure is None:
            self._meter.committed(self._counts)
        super().end(failure)


class AcknowledgerTelemetry:
    def __init__(
        self, kafka: KafkaSpans, masker: Masker, group: str, topics: MeshTopics,
        metrics: MeshMetrics | None = None,
    ) -> None:  # fmt: skip
        self._kafka = kafka
        self._masker = masker
        self._group = group
        self.metrics = metrics if metrics is not None else noop_metrics()
        routes: dict[str, Outcome | AckKind] = {topics.acks.name: AckKind.X999,
                                                topics.dlq.name: Outcome.DLQ}  # fmt: skip
        self._meter = RouteMeter(self.metrics, routes)

    @classmethod
    def of(
        cls, telemetry: TelemetryParts | None, group: str, topics: MeshTopics
    ) -> AcknowledgerTelemetry:
        if telemetry is None:
            masker = Masker.with_random_key()
            return cls(KafkaSpans(trace.NoOpTracer(), masker), masker, group, topics)
        metrics = telemetry.metrics if isinstance(telemetry, Telemetry) else None
        return cls(telemetry.kafka, telemetry.masker, group, topics, metrics)

    @contextmanager
    def process(self, record: ConsumedRecord) -> Iterator[Span]:
        with self._kafka.process(record, group=self._group,
                                 key_label=MaskLabel.MESSAGE_KEY) as span:  # fmt: skip
            yield span

    def send(self, topic: str, headers: Headers) -> tuple[BatchTrace, Headers]:
        spans = _CountedSend(self._kafka, self._meter)
        return spans, spans.headers(topic, headers)

    def token(self, group_key: str) -> str:
        return self._masker.mask(MaskLabel.MESSAGE_KEY, group_key)
