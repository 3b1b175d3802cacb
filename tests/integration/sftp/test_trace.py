"""The file's trace starts in transfer: `transfer file` → `send <topic>`, context in headers."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from edimesh.mesh.topics import mesh_topics
from edimesh.telemetry import extract_trace_context
from tests.integration.sftp.harness import Mesh, PartnerBox, running, wait_for

pytestmark = [pytest.mark.sftp, pytest.mark.kafka]


async def test_file_trace_and_producer_span(
    kafka_bootstrap: str, partner_box: Callable[[], PartnerBox], tmp_path: Path
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    box = partner_box()
    file_id = box.drop("CANARY-claims.x12", os.urandom(4000))
    mesh = Mesh.fresh(kafka_bootstrap)
    config = mesh.config(tmp_path / "staging", box.partner("acme"))
    async with running(config, tracer=provider.get_tracer("tests")):
        await wait_for(lambda: box.inbound() == [], "the file archived")

    spans = {span.name: span for span in exporter.get_finished_spans()}
    topic = mesh_topics(mesh.prefix).files_staged.name
    root, send = spans["transfer file"], spans[f"send {topic}"]
    assert send.kind is SpanKind.PRODUCER
    assert send.parent is not None
    assert root.context is not None
    assert send.parent.span_id == root.context.span_id
    attributes = dict(send.attributes or {})
    assert attributes["messaging.system"] == "kafka"
    assert attributes["messaging.destination.name"] == topic
    assert file_id not in str(attributes["messaging.kafka.message.key"])
    assert "offset" in " ".join(attributes)  # delivery recorded after the commit
    for span in spans.values():
        assert "CANARY" not in str(span.attributes)

    (record,) = await mesh.records()
    context = extract_trace_context(record.headers)
    carried = trace.get_current_span(context).get_span_context()
    assert send.context is not None
    assert (carried.trace_id, carried.span_id) == (send.context.trace_id, send.context.span_id)
