"""`edimesh topics tail`: a topic's messages, decoded, as JSON lines, PHI withheld by default.

Bodies (X12 bytes, normalized content, quarantined and dead-lettered originals, the text of
acknowledgments, element copies, CTX values), envelope dates and amounts are replaced by their
size; control numbers, sender and receiver ids and keys become keyed tokens
(`edimesh.telemetry.masking`). `show_phi=True` prints them as they are.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from edimesh.errors import ConfigError, SerializationError
from edimesh.mesh.admin import admin_client
from edimesh.mesh.codec import decode
from edimesh.mesh.kafka_security import client_options
from edimesh.mesh.topics import MAX_MESSAGE_BYTES
from edimesh.telemetry import TelemetrySettings
from edimesh.telemetry.masking import Masker, MaskLabel

# Fields holding X12 content or values copied from it (bodies, envelope dates and times,
# amounts): withheld, only their size shown.
WITHHELD = frozenset({
    "body", "content_json", "raw", "x12", "original_value", "original_key", "copy", "value",
    "isa09", "isa10", "gs04", "gs05", "total_charge", "total_paid",
})  # fmt: skip
# Fields holding identifiers (control numbers, sender and receiver ids, keys made of them):
# shown as keyed tokens.
MASKED = {
    "idempotency_key": MaskLabel.IDEMPOTENCY_KEY.value,
    "group_key": MaskLabel.GROUP_KEY.value,
    "interchange_key": MaskLabel.INTERCHANGE_KEY.value,
    "isa06": MaskLabel.SENDER_ID.value,
    "gs02": MaskLabel.SENDER_ID.value,
    "isa08": MaskLabel.RECEIVER_ID.value,
    "gs03": MaskLabel.RECEIVER_ID.value,
    "isa13": MaskLabel.ISA13.value,
    "gs06": MaskLabel.GS06.value,
    "st02": MaskLabel.ST02.value,
}


def default_masker() -> Masker:
    """The mesh's key when EDIMESH_MASKING_KEY is set (tokens match the logs), else a
    random one for this command."""
    settings = TelemetrySettings(service_name="tail")
    return Masker.from_settings(settings) if settings.masking_key else Masker.with_random_key()


def _size(value: object) -> str:
    if isinstance(value, bytes | bytearray | str):
        return f"<withheld: {len(value)} {'bytes' if not isinstance(value, str) else 'chars'}>"
    return "<withheld>"


def redact(value: Any, masker: Masker | None, field: str = "") -> Any:
    """A JSON-ready copy of a decoded record; `masker` None means show PHI."""
    if isinstance(value, dict):
        if field == "original_headers":  # Kafka metadata (schema, trace, dlq facts), no X12
            return {k: redact(v, None, k) for k, v in value.items()}
        return {k: _field(k, v, masker) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(item, masker, field) for item in value]
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _field(name: str, value: Any, masker: Masker | None) -> Any:
    if masker is not None and value is not None:
        if name in WITHHELD and not isinstance(value, dict):  # a BodyRef dict holds no PHI
            return _size(value)
        if name in MASKED and isinstance(value, str):
            return masker.mask(MASKED[name], value)
    if name == "content_json" and masker is None and isinstance(value, bytes):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            pass
    return redact(value, masker, name)


@dataclass(frozen=True, slots=True)
class TailedMessage:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


def render(message: TailedMessage, masker: Masker | None) -> bytes:
    """One JSON line for a message: its place, key and decoded value."""
    line: dict[str, Any] = {
        "topic": message.topic,
        "partition": message.partition,
        "offset": message.offset,
        "timestamp": dt.datetime.fromtimestamp(message.timestamp_ms / 1000, dt.UTC).isoformat(),
    }
    if message.key is None:
        line["key"] = None
    elif masker is None:
        line["key"] = message.key.decode("utf-8", "replace")
    else:
        line["key"] = masker.mask(MaskLabel.MESSAGE_KEY.value, message.key)
    if message.value is None:
        line["value"] = None  # a tombstone
    else:
        try:
            line["value"] = redact(decode(message.value, message.headers), masker)
        except SerializationError as exc:
            line["error"] = str(exc)  # names the schema and field, never a value
    return orjson.dumps(line)


async def tail_topic(
    bootstrap: str,
    topic: str,
    emit: Callable[[TailedMessage], None],
    *,
    from_beginning: bool,
    max_messages: int | None,
    idle_s: float | None,
) -> int:
    """Emit the topic's committed messages (read_committed) until `max_messages` or `idle_s`
    seconds without a new one; forever when both are None. The number emitted."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        client_id="edimesh-tail",
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
        **client_options(),
    )
    partitions = await _partitions(bootstrap, topic)
    await consumer.start()
    try:
        consumer.assign(partitions)
        if from_beginning:
            await consumer.seek_to_beginning(*partitions)
        else:
            await consumer.seek_to_end(*partitions)
        count = 0
        loop = asyncio.get_running_loop()
        last = loop.time()
        while max_messages is None or count < max_messages:
            batches = await consumer.getmany(timeout_ms=200)
            for record in (r for records in batches.values() for r in records):
                emit(
                    TailedMessage(
                        record.topic,
                        record.partition,
                        record.offset,
                        record.timestamp,
                        record.key,
                        record.value,
                        list(record.headers),
                    )
                )
                count += 1
                last = loop.time()
                if max_messages is not None and count >= max_messages:
                    break
            if idle_s is not None and loop.time() - last >= idle_s:
                break
        return count
    finally:
        await consumer.stop()


async def _partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    async with admin_client(bootstrap) as client:
        described = await client.describe_topics([topic])
    found = [t for t in described if t["topic"] == topic and t["error_code"] == 0]
    if not found or not found[0]["partitions"]:
        raise ConfigError(f"topic {topic!r} does not exist (see `edimesh topics list`)")
    return [TopicPartition(topic, p["partition"]) for p in found[0]["partitions"]]
