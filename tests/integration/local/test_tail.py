"""`edimesh topics tail` against the real broker: committed messages only, decoded, PHI
withheld unless --show-phi."""

from __future__ import annotations

import asyncio
import json
import os
import sys

from aiokafka import AIOKafkaProducer

from edimesh.mesh.codec import encode
from edimesh.mesh.schemas import MessageType
from tests.integration.kafka_helpers import TopicFactory, started
from tests.unit.mesh_samples import BODY, KEY, SAMPLES

EDIMESH = [sys.executable, "-c", "from edimesh.cli import main; main()"]
TYPES = (MessageType.TRANSACTION_SET, MessageType.QUARANTINED, MessageType.ACKNOWLEDGMENT)


async def _tail(*args: str) -> tuple[int, list[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDIMESH_")}
    proc = await asyncio.create_subprocess_exec(
        *EDIMESH,
        "topics",
        "tail",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode().splitlines(), err.decode()


async def _produce(bootstrap: str, topic: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"tail-{topic}")
    async with started(producer):
        async with producer.transaction():  # committed: read_committed sees these
            for message_type in TYPES:
                value, headers = encode(message_type, SAMPLES[message_type])
                await producer.send(topic, value, key=KEY.encode(), headers=headers)
        await producer.begin_transaction()  # aborted: never shown
        value, headers = encode(MessageType.TRANSACTION_SET, SAMPLES[MessageType.TRANSACTION_SET])
        await producer.send(topic, value, key=b"aborted", headers=headers)
        await producer.abort_transaction()


async def test_tail_prints_committed_messages_with_phi_withheld(
    kafka_bootstrap: str, make_topic: TopicFactory
) -> None:
    topic = await make_topic(partitions=2)
    await _produce(kafka_bootstrap, topic)
    code, lines, err = await _tail(
        topic, "--bootstrap", kafka_bootstrap, "--from-beginning", "--idle", "3"
    )
    assert code == 0, err
    records = [json.loads(line) for line in lines]
    assert len(records) == len(TYPES)
    assert {r["topic"] for r in records} == {topic}
    text = "\n".join(lines)
    for hidden in (KEY, BODY.decode(), "aborted"):
        assert hidden not in text
    assert all(":key:" in r["key"] for r in records)
    set_record = next(r["value"] for r in records if "st01" in r["value"])
    assert set_record["body"] == f"<withheld: {len(BODY)} bytes>"

    code, lines, err = await _tail(
        topic, "--bootstrap", kafka_bootstrap, "--from-beginning", "--max", "2", "--show-phi"
    )
    assert code == 0, err
    assert len(lines) == 2
    assert all(json.loads(line)["key"] == KEY for line in lines)


async def test_tail_of_a_missing_topic_is_one_line(kafka_bootstrap: str) -> None:
    code, lines, err = await _tail(
        "no-such-topic-here", "--bootstrap", kafka_bootstrap, "--idle", "1"
    )
    assert code == 1
    assert lines == []
    assert err.strip().startswith("error: topic 'no-such-topic-here' does not exist")
