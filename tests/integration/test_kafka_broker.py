"""The project's local broker behaves like Kafka for everything edimesh relies on (aiokafka)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError, for_code

from tests.integration.kafka_helpers import (
    WAIT_S,
    TopicFactory,
    partitions_of,
    read_all,
    started,
    until,
    wait_for_leaders,
    wait_until_stable,
)

pytestmark = pytest.mark.kafka


async def test_admin_client_creates_describes_and_deletes_topics(kafka_admin: Any) -> None:
    topic = f"admin-{uuid.uuid4().hex[:12]}"
    response = await kafka_admin.create_topics(
        [NewTopic(topic, num_partitions=3, replication_factor=1,
                  topic_configs={"max.message.bytes": "2000000"})]
    )  # fmt: skip
    assert response.topic_errors == [(topic, 0, None)]
    try:
        await wait_for_leaders(kafka_admin, topic, 3)
        assert topic in await kafka_admin.list_topics()

        [described] = await kafka_admin.describe_topics([topic])
        assert described["error_code"] == 0
        assert not described["is_internal"]
        partitions = sorted(described["partitions"], key=lambda p: p["partition"])
        assert [p["partition"] for p in partitions] == [0, 1, 2]
        assert all(p["replicas"] == [p["leader"]] == p["isr"] for p in partitions)

        [configs] = await kafka_admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, {"max.message.bytes": None})]
        )
        [resource] = configs.to_object()["resources"]
        assert [(e["config_names"], e["config_value"]) for e in resource["config_entries"]] == [
            ("max.message.bytes", "2000000")
        ]

        again = await kafka_admin.create_topics([NewTopic(topic, 3, 1)])
        [(_, code, _)] = again.topic_errors
        assert for_code(code) is TopicAlreadyExistsError
    finally:
        await kafka_admin.delete_topics([topic])

    async def gone() -> bool:
        return topic not in await kafka_admin.list_topics()

    await until(gone, f"topic {topic} deleted")


async def test_idempotent_producer_round_trips_exactly(
    kafka_bootstrap: str, unique_topic: str
) -> None:
    sent = [(f"key-{i}".encode(), f"value-{i}".encode(), str(i).encode()) for i in range(200)]
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, enable_idempotence=True, acks="all", linger_ms=5
    )
    async with started(producer):
        futures = [
            await producer.send(unique_topic, value, key=key, headers=[("seq", seq)])
            for key, value, seq in sent
        ]
        metadata = await asyncio.gather(*futures)

    assert [m.offset for m in metadata] == list(range(len(sent)))
    received = await read_all(kafka_bootstrap, unique_topic)
    assert [(r.key, r.value, dict(r.headers)["seq"]) for r in received] == sent
    assert [r.offset for r in received] == list(range(len(sent)))


async def test_a_large_transaction_set_fits_in_one_record(
    kafka_bootstrap: str, unique_topic: str
) -> None:
    big = bytes(range(256)) * (8 * 1024 * 1024 // 256)  # 8 MiB: over Kafka's 1 MiB default
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap,
        enable_idempotence=True,
        acks="all",
        max_request_size=16 * 1024 * 1024,
    )
    async with started(producer):
        await producer.send_and_wait(unique_topic, big, key=b"big")

    [record] = await read_all(kafka_bootstrap, unique_topic)
    assert record.value == big


async def test_consumer_group_splits_partitions_between_members(
    kafka_bootstrap: str, make_topic: TopicFactory
) -> None:
    topic = await make_topic(partitions=4)
    everything = set(partitions_of(topic, 4))
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    async with started(producer):
        for tp in everything:
            await producer.send_and_wait(topic, f"p{tp.partition}".encode(), partition=tp.partition)

    group = f"group-{uuid.uuid4().hex[:12]}"
    members = [
        AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_bootstrap,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            heartbeat_interval_ms=300,
        )
        for _ in range(2)
    ]
    async with started(members[0]) as first, started(members[1]) as second:

        def settled() -> bool:
            a, b = first.assignment(), second.assignment()
            return bool(a) and bool(b) and not (a & b) and (a | b) == everything

        async with asyncio.timeout(WAIT_S):
            while not settled():
                await asyncio.gather(first.getmany(timeout_ms=200), second.getmany(timeout_ms=200))

        mine, theirs = set(first.assignment()), set(second.assignment())
        assert mine
        assert theirs
        assert not mine & theirs
        assert mine | theirs == everything

        # Each member reads exactly the records of its own partitions.
        for member, owned in ((first, mine), (second, theirs)):
            await member.seek_to_beginning()
            values: list[bytes] = []
            async with asyncio.timeout(WAIT_S):
                while len(values) < len(owned):
                    for batch in (await member.getmany(timeout_ms=200)).values():
                        values.extend(r.value for r in batch)
            assert sorted(values) == sorted(f"p{tp.partition}".encode() for tp in owned)


async def committed_offset(consumer: Any, tp: TopicPartition) -> int | None:
    value = await consumer.committed(tp)
    return None if value is None else int(value)


async def wait_for_committed(consumer: Any, tp: TopicPartition, expected: int) -> int | None:
    """A committed transaction's offsets become visible once its markers are written."""

    async def moved() -> bool:
        return await committed_offset(consumer, tp) == expected

    await until(moved, f"committed offset {expected} on {tp}")
    return await committed_offset(consumer, tp)


async def test_transactions_commit_or_abort_output_and_offsets_together(
    kafka_bootstrap: str, make_topic: TopicFactory
) -> None:
    source, sink = await make_topic(), await make_topic()
    source_tp, sink_tps = TopicPartition(source, 0), partitions_of(sink, 1)
    plain = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    async with started(plain):
        for i in range(3):
            await plain.send_and_wait(source, f"in-{i}".encode(), key=f"k{i}".encode())

    group = f"txn-group-{uuid.uuid4().hex[:12]}"
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, transactional_id=f"txn-{uuid.uuid4().hex[:12]}"
    )
    async with started(consumer), started(producer):
        inputs: list[Any] = []
        async with asyncio.timeout(WAIT_S):
            while len(inputs) < 3:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    inputs.extend(batch)
        assert [r.value for r in inputs] == [b"in-0", b"in-1", b"in-2"]

        async def transform(records: list[Any], *, commit: bool) -> None:
            await producer.begin_transaction()
            for record in records:  # written to the log before the abort, not just buffered
                await producer.send_and_wait(sink, record.value.replace(b"in", b"out"))
            offsets = {source_tp: records[-1].offset + 1}
            await producer.send_offsets_to_transaction(offsets, group)
            if commit:
                await producer.commit_transaction()
            else:
                await producer.abort_transaction()

        # Committed: output visible, group offset moves.
        await transform(inputs[:1], commit=True)
        assert await wait_for_committed(consumer, source_tp, 1) == 1
        await wait_until_stable(kafka_bootstrap, sink_tps)
        assert [r.value for r in await read_all(kafka_bootstrap, sink)] == [b"out-0"]

        # Aborted: output written but invisible to read_committed, group offset stays.
        await transform(inputs[1:], commit=False)
        await wait_until_stable(kafka_bootstrap, sink_tps)
        uncommitted = await read_all(kafka_bootstrap, sink, isolation_level="read_uncommitted")
        assert [r.value for r in uncommitted] == [b"out-0", b"out-1", b"out-2"]
        assert [r.value for r in await read_all(kafka_bootstrap, sink)] == [b"out-0"]
        assert await committed_offset(consumer, source_tp) == 1

        # Retried and committed: exactly one copy of each output, offset at the end.
        await transform(inputs[1:], commit=True)
        assert await wait_for_committed(consumer, source_tp, 3) == 3
        await wait_until_stable(kafka_bootstrap, sink_tps)
        assert [r.value for r in await read_all(kafka_bootstrap, sink)] == [
            b"out-0",
            b"out-1",
            b"out-2",
        ]
