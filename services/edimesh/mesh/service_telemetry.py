"""What the three services' telemetry seams share (splitter, validator, acknowledger): a
`process <topic>` CONSUMER span per consumed record, send spans whose committed messages are
counted by route, and metrics that record nothing without a Telemetry.

    class ValidatorTelemetry(ServiceTelemetry):
        key_label = MaskLabel.IDEMPOTENCY_KEY   # the masked key attribute of the process span
        stage = Stage.VALIDATE                  # the process span is timed as this stage

Without a Telemetry (tests, embedding), spans are no-ops, metrics record nothing and tokens use
a throwaway key. Given only TelemetryParts (no metrics), spans work and metrics do not.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, ClassVar, Self

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
    Outcome,
    RouteMeter,
    Stage,
    Telemetry,
    noop_metrics,
)
from edimesh.telemetry.messaging import ConsumedRecord
from edimesh.telemetry.spans import Attributes, side_span, work_span

Routes = Mapping[str, Outcome | AckKind]


class MeteredBatch(BatchTrace):
    """A transaction's send spans; on commit, its messages counted by route."""

    def __init__(self, spans: KafkaSpans, meter: RouteMeter) -> None:
        super().__init__(spans.tracer, otel_context.get_current(), spans.client_id)
        self._meter = meter

    def end(self, failure: BaseException | None) -> None:
        if failure is None:
            self._meter.committed(self._counts)
        super().end(failure)


class ServiceTelemetry:
    """Spans, masking and metrics of one service. Without `topics` (unit tests), no output
    is counted."""

    key_label: ClassVar[MaskLabel]
    stage: ClassVar[Stage | None] = None

    @staticmethod
    def routes(topics: MeshTopics) -> Routes:
        """The service's output topics and what a committed message there counts as."""
        raise NotImplementedError

    @classmethod
    def of(
        cls, telemetry: TelemetryParts | None, group: str, topics: MeshTopics | None = None
    ) -> Self:
        return cls(telemetry, group, topics)

    def __init__(
        self, telemetry: TelemetryParts | None, group: str, topics: MeshTopics | None = None
    ) -> None:
        if telemetry is None:
            self._masker = Masker.with_random_key()
            self._kafka = KafkaSpans(trace.NoOpTracer(), self._masker)
        else:
            self._masker, self._kafka = telemetry.masker, telemetry.kafka
        metrics = telemetry.metrics if isinstance(telemetry, Telemetry) else None
        self.metrics = metrics if metrics is not None else noop_metrics()
        self._group = group
        self._meter = RouteMeter(self.metrics, self.routes(topics) if topics is not None else {})

    @contextmanager
    def process(self, record: ConsumedRecord) -> Iterator[Span]:
        """The record's process span (child of its producer's, from `traceparent`)."""
        # Timed inside the span, so the duration's exemplar points at this trace.
        with (
            self._kafka.process(record, group=self._group, key_label=self.key_label) as span,
            self._timed(),
        ):
            yield span

    def work(self, name: str, attributes: Attributes | None = None) -> AbstractContextManager[Span]:
        """An INTERNAL span around real work ("validate set"), child of the current span."""
        return work_span(self._kafka.tracer, name, attributes)

    def side_work(
        self, name: str, attributes: Attributes | None = None
    ) -> AbstractContextManager[Span]:
        """A work span that leaves the current span current: for work that sends ("split
        file"), whose send spans must stay children of the process span."""
        return side_span(self._kafka.tracer, name, attributes)

    def _timed(self) -> AbstractContextManager[Any]:
        return nullcontext() if self.stage is None else self.metrics.time_stage(self.stage)

    def batch(self) -> BatchTrace:
        """The send spans of one transaction, children of the current (process) span."""
        return MeteredBatch(self._kafka, self._meter)

    def send(self, topic: str, headers: Headers) -> tuple[BatchTrace, Headers]:
        """One output's send span (child of the current process span) and its headers."""
        spans = self.batch()
        return spans, spans.headers(topic, headers)
