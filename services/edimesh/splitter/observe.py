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
from typing import Protocol

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Tracer

from edimesh.telemetry import (
    KafkaSpans,
    Masker,
    MaskLabel,
    inject_trace_headers,
    semconv,
)
from edimesh.telemetry.messaging import ConsumedRecord
from edimesh.telemetry.spans import record_exception_safely

Headers = list[tuple[str, bytes]]


class TelemetryParts(Protocol):
    """What the splitter uses of `edimesh.telemetry.Telemetry` (tests pass just these)."""

    @property
    def kafka(self) -> KafkaSpans: ...
    @property
    def masker(self) -> Masker: ...


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


class BatchTrace:
    """One transaction's PRODUCER spans, one per topic, opened when the topic is first used."""

    def __init__(self, tracer: Tracer, parent: otel_context.Context, client_id: str | None) -> None:
        self._tracer = tracer
        self._parent = parent
        self._client_id = client_id
        self._spans: dict[str, tuple[Span, Headers]] = {}
        self._counts: dict[str, int] = {}
        self._combined: dict[tuple[str, int], tuple[Headers, Headers]] = {}

    def headers(self, topic: str, base: Headers) -> Headers:
        """`base` plus the trace headers, for one more message to `topic`.

        Built once per topic and `base` list (the encoder's, one per message type): this runs
        once per output message.
        """
        self._counts[topic] = self._counts.get(topic, 0) + 1
        cached = self._combined.get((topic, id(base)))
        if cached is not None and cached[0] is base:
            return cached[1]
        combined = base + self._trace_headers(topic)
        self._combined[(topic, id(base))] = (base, combined)  # holds `base`: its id stays its own
        return combined

    def _trace_headers(self, topic: str) -> Headers:
        found = self._spans.get(topic)
        if found is None:
            attributes = {
                semconv.MESSAGING_SYSTEM: semconv.MESSAGING_SYSTEM_KAFKA,
                semconv.MESSAGING_DESTINATION_NAME: topic,
                semconv.MESSAGING_OPERATION_TYPE: semconv.OPERATION_SEND,
                semconv.MESSAGING_OPERATION_NAME: semconv.OPERATION_SEND,
            }
            if self._client_id is not None:
                attributes[semconv.MESSAGING_CLIENT_ID] = self._client_id
            span = self._tracer.start_span(
                f"send {topic}", context=self._parent, kind=SpanKind.PRODUCER,
                attributes=attributes,
            )  # fmt: skip
            found = (span, inject_trace_headers(None, trace.set_span_in_context(span)))
            self._spans[topic] = found
        return found[1]

    def end(self, failure: BaseException | None) -> None:
        """End every span; a failure marks them failed with its class and safe message only."""
        for topic, (span, _) in self._spans.items():
            span.set_attribute(semconv.MESSAGING_BATCH_MESSAGE_COUNT, self._counts[topic])
            if isinstance(failure, Exception):
                record_exception_safely(span, failure)
            span.end()
        self._spans.clear()
