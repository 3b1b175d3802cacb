"""Kafka spans: names, kinds, attribute names per the conventions, edges and masked keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.semconv._incubating.attributes import messaging_attributes as ma
from opentelemetry.semconv.attributes import error_attributes, exception_attributes
from opentelemetry.trace import SpanKind, StatusCode

from edimesh.errors import EnvelopeError
from edimesh.telemetry import semconv
from edimesh.telemetry.masking import Masker, MaskLabel
from edimesh.telemetry.messaging import KafkaSpans

from . import canaries
from .conftest import Tracing

TOPIC_IN = "t-9c1d.edi.transactions"
SCHEMA = [("edimesh.schema", b"TransactionSet")]


@dataclass(frozen=True)
class Record:
    """The fields of aiokafka's ConsumerRecord that the process span reads."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: Sequence[tuple[str, bytes]]


def span_text(spans: Sequence[ReadableSpan]) -> str:
    """Everything a span exporter could see: names, attributes, events, links, status."""
    parts: list[str] = []
    for s in spans:
        parts += [s.name, repr(dict(s.attributes or {})), s.status.description or ""]
        parts += [f"{e.name} {dict(e.attributes or {})!r}" for e in s.events]
        parts += [repr(dict(link.attributes or {})) for link in s.links]
    return "\n".join(parts)


def send_then_process(kafka: KafkaSpans, key: bytes) -> Record:
    with kafka.send(TOPIC_IN, key=key, headers=SCHEMA, key_label=MaskLabel.IDEMPOTENCY_KEY) as s:
        s.set_delivery(partition=4, offset=1207)
        return Record(TOPIC_IN, 4, 1207, key, s.headers)


def test_the_process_span_is_a_child_of_the_send_span_and_links_to_it(
    kafka: KafkaSpans, tracing: Tracing
) -> None:
    record = send_then_process(kafka, canaries.IDEMPOTENCY_KEY.encode())
    with kafka.process(record, group="validator", key_label=MaskLabel.IDEMPOTENCY_KEY):
        pass
    send, process = tracing.exporter.get_finished_spans()
    assert (send.name, send.kind) == (f"send {TOPIC_IN}", SpanKind.PRODUCER)
    assert (process.name, process.kind) == (f"process {TOPIC_IN}", SpanKind.CONSUMER)
    assert send.context is not None
    assert process.context is not None
    assert process.parent is not None
    assert process.parent.span_id == send.context.span_id
    assert process.context.trace_id == send.context.trace_id
    assert [link.context.span_id for link in process.links] == [send.context.span_id]
    assert record.headers[0] == SCHEMA[0]


def test_attributes_follow_the_messaging_conventions(
    kafka: KafkaSpans, tracing: Tracing, masker: Masker
) -> None:
    key = canaries.IDEMPOTENCY_KEY.encode()
    record = send_then_process(kafka, key)
    with kafka.process(record, group="validator", key_label=MaskLabel.IDEMPOTENCY_KEY):
        pass
    send, process = tracing.exporter.get_finished_spans()
    token = masker.mask(MaskLabel.IDEMPOTENCY_KEY, key)
    assert dict(send.attributes or {}) == {
        "messaging.system": "kafka",
        "messaging.destination.name": TOPIC_IN,
        "messaging.operation.type": "send",
        "messaging.operation.name": "send",
        "messaging.kafka.message.key": token,
        "messaging.destination.partition.id": "4",
        "messaging.kafka.offset": 1207,
    }
    assert dict(process.attributes or {}) == {
        "messaging.system": "kafka",
        "messaging.destination.name": TOPIC_IN,
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.kafka.message.key": token,
        "messaging.destination.partition.id": "4",
        "messaging.kafka.offset": 1207,
        "messaging.consumer.group.name": "validator",
    }
    assert not canaries.leaks(span_text([send, process]))


def test_our_attribute_names_are_the_installed_conventions_names() -> None:
    assert semconv.MESSAGING_SYSTEM == ma.MESSAGING_SYSTEM
    assert semconv.MESSAGING_DESTINATION_NAME == ma.MESSAGING_DESTINATION_NAME
    assert semconv.MESSAGING_DESTINATION_PARTITION_ID == ma.MESSAGING_DESTINATION_PARTITION_ID
    assert semconv.MESSAGING_KAFKA_OFFSET == ma.MESSAGING_KAFKA_OFFSET
    assert semconv.MESSAGING_KAFKA_MESSAGE_KEY == ma.MESSAGING_KAFKA_MESSAGE_KEY
    assert semconv.MESSAGING_CONSUMER_GROUP_NAME == ma.MESSAGING_CONSUMER_GROUP_NAME
    assert semconv.MESSAGING_OPERATION_TYPE == ma.MESSAGING_OPERATION_TYPE
    assert semconv.MESSAGING_OPERATION_NAME == ma.MESSAGING_OPERATION_NAME
    assert semconv.MESSAGING_BATCH_MESSAGE_COUNT == ma.MESSAGING_BATCH_MESSAGE_COUNT
    assert semconv.MESSAGING_CLIENT_ID == ma.MESSAGING_CLIENT_ID
    assert (
        ma.MessagingSystemValues.KAFKA.value,
        ma.MessagingOperationTypeValues.SEND.value,
        ma.MessagingOperationTypeValues.PROCESS.value,
    ) == (semconv.MESSAGING_SYSTEM_KAFKA, semconv.OPERATION_SEND, semconv.OPERATION_PROCESS)
    assert semconv.ERROR_TYPE == error_attributes.ERROR_TYPE
    assert semconv.EXCEPTION_TYPE == exception_attributes.EXCEPTION_TYPE
    assert semconv.EXCEPTION_MESSAGE == exception_attributes.EXCEPTION_MESSAGE
    assert semconv.EXCEPTION_STACKTRACE == exception_attributes.EXCEPTION_STACKTRACE


def test_a_failure_in_process_is_recorded_by_class_and_safe_message_only(
    kafka: KafkaSpans, tracing: Tracing
) -> None:
    record = send_then_process(kafka, canaries.IDEMPOTENCY_KEY.encode())
    with (
        pytest.raises(EnvelopeError),
        kafka.process(record, group="splitter", key_label=MaskLabel.IDEMPOTENCY_KEY),
    ):
        raise EnvelopeError(f"ISA13 {canaries.CONTROL_NUMBER} repeats: {canaries.ISA}")
    _, process = tracing.exporter.get_finished_spans()
    assert process.status.status_code is StatusCode.ERROR
    assert (process.attributes or {})["error.type"] == "edimesh.errors.EnvelopeError"
    (event,) = process.events
    assert event.name == "exception"
    assert dict(event.attributes or {})["exception.message"] == (
        "ISA13 [redacted:id] repeats: [redacted:x12]"
    )
    assert not canaries.leaks(span_text([process]))


def test_a_batch_send_counts_its_messages_and_a_client_id_is_recorded(
    tracing: Tracing, masker: Masker
) -> None:
    kafka = KafkaSpans(tracing.tracer, masker, client_id="splitter-0")
    with kafka.send("edi.acks", key=None, message_count=3, partition=1):
        pass
    (span,) = tracing.exporter.get_finished_spans()
    attributes = dict(span.attributes or {})
    assert attributes["messaging.batch.message_count"] == 3
    assert attributes["messaging.client.id"] == "splitter-0"
    assert attributes["messaging.destination.partition.id"] == "1"
    assert "messaging.kafka.message.key" not in attributes


def test_a_message_without_trace_headers_starts_a_new_trace(
    kafka: KafkaSpans, tracing: Tracing
) -> None:
    with (
        tracing.tracer.start_as_current_span("poll loop"),
        kafka.process(Record("edi.files.staged", 0, 5, b"k", SCHEMA), group="splitter"),
    ):
        pass
    process, loop = tracing.exporter.get_finished_spans()
    assert process.parent is None
    assert process.links == ()
    assert loop.context is not None
    assert process.context is not None
    assert process.context.trace_id != loop.context.trace_id


def test_an_aiokafka_consumer_record_fits(kafka: KafkaSpans, tracing: Tracing) -> None:
    from aiokafka.structs import ConsumerRecord

    record = send_then_process(kafka, b"sha")
    real = ConsumerRecord(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        timestamp=0,
        timestamp_type=0,
        key=record.key,
        value=b"",
        checksum=None,
        serialized_key_size=3,
        serialized_value_size=0,
        headers=record.headers,
    )
    with kafka.process(real, group="splitter", key_label=MaskLabel.FILE_SHA256):
        pass
    send, process = tracing.exporter.get_finished_spans()
    assert process.parent is not None
    assert send.context is not None
    assert process.parent.span_id == send.context.span_id
