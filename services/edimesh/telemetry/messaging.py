"""Kafka spans by the OpenTelemetry messaging conventions.

    kafka = KafkaSpans(tracer, masker, client_id="splitter-0")

    # producer: the trace context of the send span goes into the message's headers
    with kafka.send(topic, key=key, headers=codec_headers,
                    key_label=MaskLabel.IDEMPOTENCY_KEY) as send:
        meta = await producer.send_and_wait(topic, value, key=key, headers=send.headers)
        send.set_delivery(meta.partition, meta.offset)

    # consumer: one span per message, a child of the producer's span
    with kafka.process(record, group="validator", key_label=MaskLabel.IDEMPOTENCY_KEY):
        ...

Spans are named `send <topic>` (PRODUCER) and `process <topic>` (CONSUMER) and carry
messaging.system, messaging.destination.name, messaging.destination.partition.id,
messaging.kafka.offset, messaging.consumer.group.name, messaging.operation.type/name, and
messaging.kafka.message.key as a keyed token only (never the key). A failure sets error.type
and a safe exception event (`spans.record_exception_safely`).

Parent, not only a link. The conventions let a consumer's process span be a child of the
message's creation context, and say it should link to it. edimesh does both: the producer's
send span is the parent (so one file is one trace, transfer -> splitter -> validator, which the
trace-edge test and a trace viewer both show as a tree) and also a link (for tools that follow
links). Each message is processed on its own, so there is always exactly one parent; a batch
consumer would use links alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind, Tracer
from opentelemetry.util.types import AttributeValue

from edimesh.telemetry import semconv
from edimesh.telemetry.masking import Masker, MaskLabel
from edimesh.telemetry.propagation import extract_trace_context, inject_trace_headers
from edimesh.telemetry.spans import safe_span


class ConsumedRecord(Protocol):
    """What a process span needs of a consumed message (aiokafka's ConsumerRecord has it)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> str | bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


@dataclass(frozen=True, slots=True)
class SendSpan:
    """The open send span and the headers to send with the message."""

    span: Span
    headers: list[tuple[str, bytes]]

    def set_delivery(self, partition: int, offset: int) -> None:
        """Record where the broker put the message (aiokafka's RecordMetadata)."""
        self.span.set_attribute(semconv.MESSAGING_DESTINATION_PARTITION_ID, str(partition))
        self.span.set_attribute(semconv.MESSAGING_KAFKA_OFFSET, offset)


@dataclass(frozen=True, slots=True)
class KafkaSpans:
    """Opens producer and consumer spans for one service."""

    tracer: Tracer
    masker: Masker
    client_id: str | None = None

    @contextmanager
    def send(
        self,
        topic: str,
        *,
        key: str | bytes | None,
        headers: Sequence[tuple[str, bytes]] | None = None,
        key_label: str = MaskLabel.MESSAGE_KEY,
        partition: int | None = None,
        message_count: int | None = None,
    ) -> Iterator[SendSpan]:
        """A `send <topic>` PRODUCER span; `.headers` are `headers` plus its trace context.

        For a batch, pass `message_count` and send every message of it with `.headers`.
        """
        attributes = self._common(topic, semconv.OPERATION_SEND, key, key_label)
        if partition is not None:
            attributes[semconv.MESSAGING_DESTINATION_PARTITION_ID] = str(partition)
        if message_count is not None:
            attributes[semconv.MESSAGING_BATCH_MESSAGE_COUNT] = message_count
        with safe_span(
            self.tracer, f"send {topic}", kind=SpanKind.PRODUCER, attributes=attributes
        ) as span:
            yield SendSpan(span, inject_trace_headers(headers))

    @contextmanager
    def process(
        self,
        record: ConsumedRecord,
        *,
        group: str,
        key_label: str = MaskLabel.MESSAGE_KEY,
    ) -> Iterator[Span]:
        """A `process <topic>` CONSUMER span, child of the context in the record's headers."""
        attributes = self._common(record.topic, semconv.OPERATION_PROCESS, record.key, key_label)
        attributes[semconv.MESSAGING_DESTINATION_PARTITION_ID] = str(record.partition)
        attributes[semconv.MESSAGING_KAFKA_OFFSET] = record.offset
        attributes[semconv.MESSAGING_CONSUMER_GROUP_NAME] = group
        parent = extract_trace_context(record.headers)
        producer = trace.get_current_span(parent).get_span_context()
        links = [Link(producer)] if producer.is_valid else []
        with safe_span(
            self.tracer,
            f"process {record.topic}",
            kind=SpanKind.CONSUMER,
            attributes=attributes,
            context=parent,
            links=links,
        ) as span:
            yield span

    def _common(
        self, topic: str, operation: str, key: str | bytes | None, key_label: str
    ) -> dict[str, AttributeValue]:
        attributes: dict[str, AttributeValue] = {
            semconv.MESSAGING_SYSTEM: semconv.MESSAGING_SYSTEM_KAFKA,
            semconv.MESSAGING_DESTINATION_NAME: topic,
            semconv.MESSAGING_OPERATION_TYPE: operation,
            semconv.MESSAGING_OPERATION_NAME: operation,
        }
        if key is not None:
            attributes[semconv.MESSAGING_KAFKA_MESSAGE_KEY] = self.masker.mask(key_label, key)
        if self.client_id is not None:
            attributes[semconv.MESSAGING_CLIENT_ID] = self.client_id
        return attributes
