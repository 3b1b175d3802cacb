"""W3C trace context in aiokafka-style headers: inject merges, extract restores the parent."""

from __future__ import annotations

from opentelemetry import baggage, trace

from edimesh.telemetry.propagation import extract_trace_context, inject_trace_headers

from .conftest import Tracing

SCHEMA = [("edimesh.schema", b"TransactionSet"), ("edimesh.schema.version", b"3")]


def test_inject_keeps_other_headers_in_order_and_adds_traceparent(tracing: Tracing) -> None:
    with tracing.tracer.start_as_current_span("send"):
        headers = inject_trace_headers(SCHEMA)
    assert headers[:2] == SCHEMA
    names = [name for name, _ in headers]
    assert names.count("traceparent") == 1
    assert all(isinstance(value, bytes) for _, value in headers)


def test_inject_replaces_stale_trace_headers(tracing: Tracing) -> None:
    stale = [*SCHEMA, ("traceparent", b"00-" + b"1" * 32 + b"-" + b"2" * 16 + b"-01")]
    with tracing.tracer.start_as_current_span("send") as span:
        headers = inject_trace_headers(stale)
    (value,) = [v for k, v in headers if k == "traceparent"]
    assert trace.format_trace_id(span.get_span_context().trace_id).encode() in value


def test_round_trip_restores_the_span_context(tracing: Tracing) -> None:
    with tracing.tracer.start_as_current_span("send") as span:
        headers = inject_trace_headers(SCHEMA)
    remote = trace.get_current_span(extract_trace_context(headers)).get_span_context()
    local = span.get_span_context()
    assert (remote.trace_id, remote.span_id, remote.is_remote) == (
        local.trace_id,
        local.span_id,
        True,
    )


def test_no_trace_headers_means_no_parent_even_inside_a_span(tracing: Tracing) -> None:
    with tracing.tracer.start_as_current_span("consumer loop"):
        ctx = extract_trace_context(SCHEMA)
    assert not trace.get_current_span(ctx).get_span_context().is_valid


def test_garbage_and_null_header_values_are_ignored() -> None:
    ctx = extract_trace_context([("traceparent", b"\xff\xfe"), ("tracestate", None)])
    assert not trace.get_current_span(ctx).get_span_context().is_valid


def test_baggage_is_not_propagated(tracing: Tracing) -> None:
    with tracing.tracer.start_as_current_span("send"):
        ctx = baggage.set_baggage("member", "ZQXMI771204")
        headers = inject_trace_headers(SCHEMA, context=ctx)
    assert "baggage" not in {name for name, _ in headers}
    assert b"ZQXMI771204" not in b"".join(value for _, value in headers)
