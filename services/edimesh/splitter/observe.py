"""The splitter's one seam to telemetry: spans per FileStaged and per batch, masked tokens,
metrics.

- `process(record)`: a `process <files topic>` CONSUMER span per FileStaged, child of the
  transfer service's send span (from the event's `traceparent` header), timed as the `split`
  stage.
- `batch()`: per transaction, one `send <topic>` PRODUCER span per destination topic, with the
  message count; every message of that topic in the batch carries that span's traceparent, so
  a validator's process span hangs under it and one file is one trace. These spans are not made
  current (messages are sent between other work, and the commit ends in another task); their
  context goes into the headers explicitly. When the batch commits, its messages are counted
  by route: transaction sets as `split`, quarantined records, TA1s as acks.
- `retried()`, `dead_lettered()`: a FileStaged retried, or dead-lettered (committed).
- `file_token(file_id)`: the keyed token that stands for a file in logs.

Without a Telemetry (tests, embedding), spans are no-ops, metrics record nothing and tokens
use a throwaway key. Given only TelemetryParts (no metrics), spans work and metrics do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span

from edimesh.mesh.batch_trace import BatchTrace
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

__all__ = ["BatchTrace", "SplitterTelemetry", "TelemetryParts"]
RETRY_OPERATION = "split.file"


class MeteredBatch(BatchTrace):
    """A batch's send spans; on commit, its messages counted by route."""

    def __init__(self, spans: KafkaSpans, meter: RouteMeter) -> None:
        super().__init__(spans.tracer, otel_context.get_current(), spans.client_id)
        self._meter = meter

    def end(self, failure: BaseException | None) -> None:
        if failure is None:
            self._meter.committed(self._counts)
        super().end(failure)


class SplitterTelemetry:
    def __init__(
        self,
        kafka: KafkaSpans,
        masker: Masker,
        group: str,
        metrics: MeshMetrics | None = None,
        topics: MeshTopics | None = None,
    ) -> None:
        self._kafka = kafka
        self._masker = masker
        self._group = group
        self.metrics = metrics if metrics is not None else noop_metrics()
        routes: dict[str, Outcome | AckKind] = {}
        if topics is not None:
            routes = {
                topics.transactions.name: Outcome.SPLIT,
                topics.quarantine.name: Outcome.QUARANTINE,
                topics.dlq.name: Outcome.DLQ,
                topics.acks.name: AckKind.TA1,
            }
        self._dlq = topics.dlq.name if topics is not None else "dlq"
        self._meter = RouteMeter(self.metrics, routes)

    @classmethod
    def of(
        cls, telemetry: TelemetryParts | None, group: str, topics: MeshTopics | None = None
    ) -> SplitterTelemetry:
        if telemetry is None:
            masker = Masker.with_random_key()
            return cls(KafkaSpans(trace.NoOpTracer(), masker), masker, group, None, topics)
        metrics = telemetry.metrics if isinstance(telemetry, Telemetry) else None
        return cls(telemetry.kafka, telemetry.masker, group, metrics, topics)

    @contextmanager
    def process(self, record: ConsumedRecord) -> Iterator[Span]:
        # Timed inside the span, so the duration's exemplar points at this trace.
        with (
            self._kafka.process(record, group=self._group, key_label=MaskLabel.FILE_SHA256) as span,
            self.metrics.time_stage(Stage.SPLIT),
        ):
            yield span

    def batch(self) -> BatchTrace:
        """The send spans of one transaction, children of the current (process) span."""
        return MeteredBatch(self._kafka, self._meter)

    def retried(self) -> None:
        self.metrics.retried(RETRY_OPERATION)

    def dead_lettered(self) -> None:
        """One FileStaged dead-lettered (call once its transaction committed)."""
        self.metrics.routed(Outcome.DLQ, self._dlq)

    def file_token(self, file_id: str) -> str:
        return self._masker.mask(MaskLabel.FILE_SHA256, file_id)
