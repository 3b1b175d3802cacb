"""The PRODUCER spans of one Kafka transaction: one `send <topic>` span per destination topic.

Every message of a topic in the transaction carries that span's traceparent, so a consumer's
process span hangs under it and one file is one trace. These spans are not made current
(messages are sent between other work, and the commit may end in another task); their context
goes into the headers explicitly.
"""

from __future__ import annotations

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Tracer

from edimesh.telemetry import inject_trace_headers, semconv
from edimesh.telemetry.spans import record_exception_safely

Headers = list[tuple[str, bytes]]


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
