"""W3C trace context in Kafka headers, in aiokafka's form (`list[tuple[str, bytes]]`).

    headers = inject_trace_headers(schema_headers(...))        # producer, inside the send span
    ctx = extract_trace_context(record.headers)                # consumer

Only `traceparent` and `tracestate` travel. W3C baggage is deliberately not propagated: it is
free-form text that nothing masks, so it is a way for PHI to ride along into other services.
Other headers (`edimesh.schema`, ...) are kept in order; old trace headers are replaced.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
TRACE_HEADERS = frozenset({TRACEPARENT, TRACESTATE})

_PROPAGATOR = TraceContextTextMapPropagator()


def inject_trace_headers(
    headers: Sequence[tuple[str, bytes]] | None = None, context: Context | None = None
) -> list[tuple[str, bytes]]:
    """`headers` plus the trace context of `context` (default: the current one)."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, context=context)
    kept = [(name, value) for name, value in headers or () if name not in TRACE_HEADERS]
    return kept + [(name, value.encode("ascii")) for name, value in carrier.items()]


def extract_trace_context(headers: Sequence[tuple[str, bytes | None]] | None) -> Context:
    """The remote parent named by `headers`, on top of an empty context.

    An empty base, not the current context: a message without trace headers starts a new
    trace rather than joining whatever span happens to be current in the consumer loop.
    As in Kafka, the last occurrence of a header wins.
    """
    carrier: dict[str, str] = {}
    for name, value in headers or ():
        if name in TRACE_HEADERS and value is not None:
            try:
                carrier[name] = value.decode("ascii")
            except UnicodeDecodeError:
                continue
    return _PROPAGATOR.extract(carrier, context=Context())
