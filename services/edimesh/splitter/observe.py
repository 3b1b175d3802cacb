"""The splitter's one seam to telemetry: spans per FileStaged and per batch, masked tokens.

- `process(record)`: a `process <files topic>` CONSUMER span per FileStaged, child of the
  transfer service's send span (from the event's `traceparent` header).
- `batch()`: per transaction, one `send <topic>` PRODUCER span per destination topic, with the
  message count; every message of that topic in the batch carries that span's traceparent, so
  a validator's process span hangs under it and one file is one trace. These spans are not made
  current (messages are sent between other work, and the commit ends in another task); their
  context goes into the headers explicitly.
- `file_token(file_id)`: the keyed token that stands for a file in logs.

Without a Telemetry (tests, embedding), spans are no-ops and tokens use a throwaway key.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span

from edimesh.mesh.batch_trace import BatchTrace
from edimesh.mesh.telemetry_parts import TelemetryParts
from edimesh.telemetry import KafkaSpans, Masker, MaskLabel
from edimesh.telemetry.messaging import ConsumedRecord

__all__ = ["BatchTrace", "SplitterTelemetry", "TelemetryParts"]


class SplitterTelemetry:
    def __init__(self, kafka: KafkaSpans, masker: Masker, group: str) -> None:
        self._kafka = kafka
        self._masker = masker
        self._group = group

    @classmethod
    def of(cls, telemetry: TelemetryParts | None, group: str) -> SplitterTelemetry:
        if telemetry is None:
            masker = Masker.with_random_key()
            return cls(KafkaSpans(trace.NoOpTracer(), masker), masker, group)
        return cls(telemetry.kafka, telemetry.masker, group)

    def process(self, record: ConsumedRecord) -> AbstractContextManager[Span]:
        return self._kafka.process(record, group=self._group, key_label=MaskLabel.FILE_SHA256)

    def batch(self) -> BatchTrace:
        """The send spans of one transaction, children of the current (process) span."""
        return BatchTrace(self._kafka.tracer, otel_context.get_current(), self._kafka.client_id)

    def file_token(self, file_id: str) -> str:
        return self._masker.mask(MaskLabel.FILE_SHA256, file_id)
