"""The validator's one seam to telemetry: a process span per set, send spans per output.

- `process(record)`: a `process <transactions topic>` CONSUMER span per TransactionSet, child
  of the splitter's send span (from the record's `traceparent`); its key attribute is the
  masked idempotency key.
- `send(topic, headers)`: inside the process span, the output's `send <topic>` PRODUCER span
  (ended when its transaction commits or fails) and the headers carrying its trace context.

Without a Telemetry (tests, embedding), spans are no-ops and tokens use a throwaway key.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span

from edimesh.mesh.batch_trace import BatchTrace, Headers
from edimesh.mesh.telemetry_parts import TelemetryParts
from edimesh.telemetry import KafkaSpans, Masker, MaskLabel
from edimesh.telemetry.messaging import ConsumedRecord


class ValidatorTelemetry:
    def __init__(self, kafka: KafkaSpans, group: str) -> None:
        self._kafka = kafka
        self._group = group

    @classmethod
    def of(cls, telemetry: TelemetryParts | None, group: str) -> ValidatorTelemetry:
        if telemetry is None:
            masker = Masker.with_random_key()
            return cls(KafkaSpans(trace.NoOpTracer(), masker), group)
        return cls(telemetry.kafka, group)

    def process(self, record: ConsumedRecord) -> AbstractContextManager[Span]:
        return self._kafka.process(record, group=self._group, key_label=MaskLabel.IDEMPOTENCY_KEY)

    def send(self, topic: str, headers: Headers) -> tuple[BatchTrace, Headers]:
        """The output's send span (child of the current process span) and its headers."""
        spans = BatchTrace(self._kafka.tracer, otel_context.get_current(), self._kafka.client_id)
        return spans, spans.headers(topic, headers)
