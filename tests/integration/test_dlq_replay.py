"""`edimesh dlq replay` against the real broker: committed letters only, chosen ones only, byte
for byte to their original topic, and nothing but masked summaries on the way."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from pydantic import SecretStr

from edimesh.errors import SerializationError, TransientError
from edimesh.mesh import messages
from edimesh.mesh.admin import ensure_topics
from edimesh.mesh.codec import encode
from edimesh.mesh.dead_letter import dead_letter_message
from edimesh.mesh.dlq_replay import (
    REPLAYED_FROM_HEADER,
    LetterSummary,
    ReplayFilter,
    replay_dead_letters,
)
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import MeshTopics, mesh_topics
from edimesh.telemetry.masking import Masker, MaskLabel
from edimesh.x12.synth import SynthOptions, generate_837p
from tests.integration.kafka_helpers import read_all, started, wait_until_stable
from tests.integration.splitter.conftest import (  # noqa: F401 - fixtures used here
    BenchFactory,
    _health_endpoint_off,
    make_bench,
)
from tests.integration.validator.harness import ValidatorBench
from tests.unit.validator.sets import predicted_route, record_of, units_of

MASKING_KEY = "replay-test-" + "k" * 40
NOW = datetime.now(UTC)
SCHEMA_HEADERS = (("edimesh.schema", b"TransactionSet"), ("edimesh.schema.version", b"1"))


@dataclass(frozen=True)
class _Consumed:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class Mesh:
    bootstrap: str
    topics: MeshTopics
    originals: dict[str, _Consumed]  # by a name for each test letter


def _canary(name: str) -> bytes:
    return f"CANARY-{name}-{uuid.uuid4().hex[:8]}".encode()


async def _publish_letters(bootstrap: str, topics: MeshTopics) -> dict[str, _Consumed]:
    source = topics.transactions.name
    plan = {  # name: (topic, service, error, failed_at)
        "poison": (source, "validator", SerializationError("TransactionSet v1: bad"), NOW),
        "transient": (source, "validator", TransientError("fetch failed"), NOW),
        "old": (source, "validator", SerializationError("bad"), NOW - timedelta(days=3)),
        "split": (topics.files_staged.name, "splitter", SerializationError("bad"), NOW),
        "elsewhere": ("not-a-mesh-topic", "validator", SerializationError("bad"), NOW),
    }
    originals: dict[str, _Consumed] = {}
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, transactional_id=f"dlq-test-{uuid.uuid4().hex}"
    )
    async with started(producer):

        async def send(name: str, topic: str, service: str, exc: Exception, at: datetime) -> None:
            record = _Consumed(
                topic, 0, len(originals), _canary(f"key-{name}"), _canary(f"value-{name}"),
                (*SCHEMA_HEADERS, ("traceparent", _canary("trace"))),
            )  # fmt: skip
            originals[name] = record
            letter = dead_letter_message(topics.dlq.name, record, exc, 3, at, service=service)
            await producer.send(letter.topic, letter.value, key=letter.key, headers=letter.headers)

        async with producer.transaction():
            for name, (topic, service, exc, at) in plan.items():
                await send(name, topic, service, exc, at)
            await producer.send(topics.dlq.name, b"\x00not a dead letter", key=b"junk")
        # A letter in an aborted transaction was never dead-lettered: read_committed skips it.
        await producer.begin_transaction()
        await send("aborted", source, "validator", SerializationError("bad"), NOW)
        await producer.abort_transaction()
    return originals


@pytest.fixture
async def mesh(kafka_bootstrap: str, kafka_admin: Any) -> AsyncIterator[Mesh]:
    topics = mesh_topics(f"dlq-{uuid.uuid4().hex[:8]}.", partitions=1)
    await ensure_topics(kafka_bootstrap, topics.all())
    originals = await _publish_letters(kafka_bootstrap, topics)
    await wait_until_stable(kafka_bootstrap, [TopicPartition(topics.dlq.name, 0)])
    yield Mesh(kafka_bootstrap, topics, originals)
    await kafka_admin.delete_topics([spec.name for spec in topics.all()])


def _masker() -> Masker:
    return Masker("t1", SecretStr(MASKING_KEY))


async def test_replay_sends_the_chosen_letters_back_byte_for_byte(mesh: Mesh) -> None:
    shown: list[LetterSummary] = []
    report = await replay_dead_letters(
        mesh.bootstrap,
        mesh.topics,
        ReplayFilter(services=frozenset({"validator"}), since=NOW - timedelta(hours=1)),
        _masker(),
        dry_run=False,
        on_letter=shown.append,
    )
    assert report.read == 6  # five letters and the junk record; the aborted one is invisible
    assert report.undecodable == [(0, 5)]
    assert [s.original_topic for s in report.refused] == ["not-a-mesh-topic"]
    assert report.chosen == report.replayed == 2

    replayed = await read_all(mesh.bootstrap, mesh.topics.transactions.name)
    expected = [mesh.originals["poison"], mesh.originals["transient"]]
    assert [(r.key, r.value) for r in replayed] == [(o.key, o.value) for o in expected]
    for record, original in zip(replayed, expected, strict=True):
        assert list(record.headers[:-1]) == list(original.headers)
        name, origin = record.headers[-1]
        assert name == REPLAYED_FROM_HEADER
        assert origin == f"{mesh.topics.dlq.name}/0/{original.offset}".encode()
    assert await read_all(mesh.bootstrap, mesh.topics.files_staged.name) == []
    assert [s.key_token for s in shown] == [
        _masker().mask(MaskLabel.IDEMPOTENCY_KEY, o.key or b"") for o in expected
    ]


@pytest.mark.parametrize(
    ("limit", "read", "replayed", "to_files"), [(None, 6, 3, ["split"]), (2, 3, 2, [])]
)
async def test_error_class_filter_and_limit_against_the_broker(
    mesh: Mesh, limit: int | None, read: int, replayed: int, to_files: list[str]
) -> None:
    report = await replay_dead_letters(
        mesh.bootstrap,
        mesh.topics,
        ReplayFilter(error_classes=frozenset({"SerializationError"})),
        _masker(),
        dry_run=False,
        on_letter=lambda _: None,
        limit=limit,
    )
    # poison, old (transactions) and split (files.staged), in DLQ order; a limit of 2 stops
    # reading at old: neither split nor the records after it are read.
    assert report.replayed == report.chosen == replayed
    assert report.read == read
    assert report.limit_reached == (limit is not None)
    on_transactions = await read_all(mesh.bootstrap, mesh.topics.transactions.name)
    on_files = await read_all(mesh.bootstrap, mesh.topics.files_staged.name)
    assert [r.key for r in on_transactions] == [
        mesh.originals["poison"].key,
        mesh.originals["old"].key,
    ]
    assert [r.key for r in on_files] == [mesh.originals[name].key for name in to_files]


async def test_dry_run_command_prints_masked_summaries_and_sends_nothing(mesh: Mesh) -> None:
    edimesh = Path(sys.executable).with_name("edimesh")
    env = {**os.environ, "EDIMESH_MASKING_KEY": MASKING_KEY, "EDIMESH_MASKING_KEY_ID": "t1"}
    process = await asyncio.create_subprocess_exec(
        str(edimesh), "dlq", "replay", "--dry-run", "--service", "validator",
        "--bootstrap", mesh.bootstrap, "--prefix", mesh.topics.dlq.name.removesuffix("edi.dlq"),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode(errors="replace")
    text = (out + err).decode()
    assert "would replay 3 of 6 dead letters" in text
    for original in mesh.originals.values():
        assert original.key is not None
        assert original.value is not None
        assert original.key.decode() not in text
        assert original.value.decode() not in text
        assert "CANARY-trace" not in text
    token = _masker().mask(MaskLabel.IDEMPOTENCY_KEY, mesh.originals["poison"].key or b"")
    assert f"key={token}" in text
    assert "refused (not a mesh topic)" in text
    assert await read_all(mesh.bootstrap, mesh.topics.transactions.name) == []


@pytest.fixture
async def vbench(make_bench: BenchFactory) -> ValidatorBench:  # noqa: F811 - imported fixture
    return ValidatorBench(await make_bench())


async def test_a_set_dead_lettered_for_a_missing_body_validates_after_replay(
    vbench: ValidatorBench, tmp_path: Path
) -> None:
    """The operator's loop: the validator dead-letters a by-reference set whose staged file is
    gone; the file is restored; the replayed letter reaches edi.validated under its key."""
    data = generate_837p(SynthOptions(claims=2, claims_per_set=2, sets_per_group=1))
    source = tmp_path / "synth.x12"
    source.write_bytes(data)
    unit = next(u for u in units_of(source) if predicted_route(u) == "validated")
    record = record_of(unit)
    body = record["body"]
    assert isinstance(body, bytes)
    staged = vbench.splitter.staging / hashlib.sha256(data).hexdigest()
    by_reference: messages.TransactionSet = {**record, "body": {
        "staging_uri": staged.as_uri(), "byte_offset": record["byte_offset"],
        "length": len(body), "sha256": hashlib.sha256(body).hexdigest(),
    }}  # fmt: skip
    value, headers = encode(MessageType.TRANSACTION_SET, by_reference)
    key = record["idempotency_key"].encode()
    await vbench.publish_raw(value, headers, key=key)

    async with vbench.running():
        [dead] = await vbench.wait_outputs(1)
    assert (dead.topic, dead.key) == ("dlq", key)

    staged.write_bytes(data)  # the operator restores the staged file
    topics = vbench.splitter.topics
    report = await replay_dead_letters(
        vbench.splitter.bootstrap,
        topics,
        ReplayFilter(services=frozenset({"validator"})),
        _masker(),
        dry_run=False,
        on_letter=lambda _: None,
    )
    assert report.replayed == 1

    async with vbench.running():
        [validated] = await vbench.wait_outputs(1, besides=[dead])
    assert (validated.topic, validated.key) == ("validated", key)
    assert validated.value["idempotency_key"] == record["idempotency_key"]
