"""The validator's one seam to telemetry: a process span per set, send spans per output,
metrics.

- `process(record)`: a `process <transactions topic>` CONSUMER span per TransactionSet, child
  of the splitter's send span (from the record's `traceparent`); its key attribute is the
  masked idempotency key. Timed as the `validate` stage (decode, validation, retries).
- `send(topic, headers)`: inside the process span, the output's `send <topic>` PRODUCER span
  (ended when its transaction commits or fails) and the headers carrying its trace context.
  When it ends after a commit, the output is counted by route (validated, quarantine, dlq).
- `retried()`: one transient failure of a set, retried.

Without a Telemetry (tests, embedding), spans are no-ops, metrics record nothing and tokens use
a throwaway key. Given only TelemetryParts (no metrics), spans work and metrics do not.
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
    Stage,
    Telemetry,
    noop_metrics,
)
from edimesh.telemetry.messaging import ConsumedRecord

RETRY_OPERATION = "validate.set"


class MeteredSend(BatchTrace):
    """One output's send span; on commit, the output counted by route."""

    def __init__(self, spans: KafkaSpans, meter: RouteMeter) -> None:
        super().__init__(spans.tracer, otel_context.get_current(), spans.client_id)
        self._meter = meter

    def end(self, failure: BaseException | None) -> None:
        if failure is None:
            self._meter.committed(self._counts)
        super().end(failure)


class ValidatorTelemetry:
    def __init__(
        self,
        kafka: KafkaSpans,
        group: str,
        metrics: MeshMetrics | None = None,
        topics: MeshTopics | None = None,
    ) -> None:
        self._kafka = kafka
        self._group = group
        self.metrics = metrics if metrics is not None else noop_metrics()
        routes: dict[str, Outcome | AckKind] = {}
        if topics is not None:
            routes = {
                topics.validated.name: Outcome.VALIDATED,
                topics.quarantine.name: Outcome.QUARANTINE,
                topics.dlq.name: Outcome.DLQ,
                topics.acks.name: AckKind.X999,
            }
        self._meter = RouteMeter(self.metrics, routes)

    @classmethod
    def of(
        cls, telemetry: TelemetryParts | None, group: str, topics: MeshTopics | None = None
    ) -> ValidatorTelemetry:
        if telemetry is None:
            masker = Masker.with_random_key()
            return cls(KafkaSpans(trace.NoOpTracer(), masker), group, None, topics)
        metrics = telemetry.metrics if isinstance(telemetry, Telemetry) else None
        return cls(telemetry.kafka, group, metrics, topics)

    @contextmanager
    def process(self, record: ConsumedRecord) -> Iterator[Span]:
        # Timed inside the span, so the duration's exemplar points at this trace.
        with (
            self._kafka.process(
                record, group=self._group, key_label=MaskLabel.IDEMPOTENCY_KEY
            ) as span,
            self.metrics.time_stage(Stage.VALIDATE),
        ):
            yield span

    def send(self, topic: str, headers: Headers) -> tuple[BatchTrace, Headers]:
        """The output's send span (child of the current process span) and its headers."""
        spans = MeteredSend(self._kafka, self._meter)
        return spans, spans.headers(topic, headers)

    def retried(self) -> None:
        self.metrics.retried(RETRY_OPERATION)
