"""One file, one trace: transfer's send span -> splitter's process span -> send spans whose
context every output message carries. Span attributes hold masked tokens, never keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from edimesh.mesh.codec import encode
from edimesh.mesh.schemas import MessageType
from edimesh.telemetry import KafkaSpans, Masker, inject_trace_headers
from edimesh.x12.synth import SynthOptions, generate_837p, iter_keys
from tests.integration.splitter.harness import SplitterBench


@dataclass(frozen=True)
class Parts:
    kafka: KafkaSpans
    masker: Masker


async def test_a_file_is_one_trace_with_masked_keys(bench: SplitterBench, kafka_admin: Any) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    masker = Masker.with_random_key()
    telemetry = Parts(KafkaSpans(tracer, masker, "splitter-test"), masker)

    options = SynthOptions(claims=12, claims_per_set=2)
    data = generate_837p(options)
    file_id, path = bench.write_staged(data)
    staged = bench.file_staged(file_id, path)
    with tracer.start_as_current_span("send staged", kind=SpanKind.PRODUCER) as transfer:
        _value, headers = encode(MessageType.FILE_STAGED, staged)
        await bench.publish(staged, headers=inject_trace_headers(headers))
    async with bench.running(telemetry=telemetry):
        await bench.wait_consumed(kafka_admin)
    provider.force_flush()

    spans = exporter.get_finished_spans()
    [process] = [s for s in spans if s.name == f"process {bench.topics.files_staged.name}"]
    assert process.parent is not None
    assert process.parent.span_id == transfer.get_span_context().span_id
    assert process.context.trace_id == transfer.get_span_context().trace_id
    sends = {s.context.span_id: s for s in spans if s.name.startswith("send t")}
    names = {s.name for s in sends.values()}
    assert f"send {bench.topics.transactions.name}" in names
    assert f"send {bench.topics.splitter_progress.name}" in names
    for span in sends.values():
        assert span.kind is SpanKind.PRODUCER
        assert span.parent is not None
        assert span.parent.span_id == process.context.span_id
        assert span.attributes is not None
        count = span.attributes["messaging.batch.message_count"]
        assert isinstance(count, int)
        assert count >= 1

    for record in await bench.read(bench.topics.transactions):
        traceparent = dict(record.headers)["traceparent"].decode()
        _, trace_id, span_id, _ = traceparent.split("-")
        assert int(trace_id, 16) == transfer.get_span_context().trace_id
        assert int(span_id, 16) in sends

    secrets = [file_id, *iter_keys(options), str(path)]
    for span in spans:
        for attribute in (span.attributes or {}).values():
            assert not any(secret in str(attribute) for secret in secrets), span.name
    assert process.attributes is not None
    assert str(process.attributes["messaging.kafka.message.key"]).startswith("eph:filesha:")
