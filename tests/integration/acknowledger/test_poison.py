"""Poison messages on both inputs go to the DLQ with their triage headers, and the partition
keeps flowing: a group published after them is still answered."""

from __future__ import annotations

from typing import Any

from edimesh.mesh.codec import VERSION_HEADER, decode, encode
from edimesh.mesh.schemas import MessageType
from tests.integration.acknowledger.harness import AckBench
from tests.integration.acknowledger.records import group_key, manifest, result, send
from tests.integration.kafka_helpers import until

M, R = MessageType.GROUP_MANIFEST, MessageType.SET_RESULT


async def test_poison_on_both_inputs_is_dead_lettered_and_groups_still_flow(
    abench: AckBench,
) -> None:
    topics = abench.splitter.topics
    key = group_key(7)
    for spec, message_type, record in ((topics.group_manifests, M, manifest(key, emitted=1)),
                                       (topics.set_results, R, result(key, "0001"))):  # fmt: skip
        value, headers = encode(message_type, record)
        future = [(k, b"99") if k == VERSION_HEADER else (k, v) for k, v in headers]
        # A compacted topic (the manifests) takes no keyless record.
        garbage_key = None if spec is topics.set_results else b"garbage"
        await abench.publish(spec, b"\x00\xffnot avro at all", [], garbage_key)
        await abench.publish(spec, value[: len(value) // 2], headers, b"truncated")
        await abench.publish(spec, value, future, b"future")
    wrong = manifest(group_key(8), emitted=1)  # a manifest where results belong
    value, headers = encode(M, wrong)
    await abench.publish(topics.set_results, value, headers, b"wrong-type")
    await send(abench, manifest(key, emitted=1), M)
    await send(abench, result(key, "0001"), R)

    letters: list[Any] = []

    async def all_dead_lettered() -> bool:
        nonlocal letters
        letters = await abench.splitter.read(topics.dlq)
        return len(letters) >= 7

    async with abench.running() as service:
        acks = await abench.wait_acks(1)
        await until(all_dead_lettered, "7 dead letters")
        assert service.owned_partitions == [0]

        async def ready() -> bool:
            return service.readiness.ready

        await until(ready, "the acknowledger reports ready")
    assert [k for k, _ in acks] == [key.encode()]
    assert len(letters) == 7
    sources = sorted(r.headers and dict(r.headers)["edimesh.dlq.original.topic"]
                     for r in letters)  # fmt: skip
    assert sources == sorted([topics.group_manifests.name.encode()] * 3
                             + [topics.set_results.name.encode()] * 4)  # fmt: skip
    for record in letters:
        triage: dict[str, bytes] = dict(record.headers)
        letter = decode(record.value, record.headers, expected=MessageType.DEAD_LETTER)
        assert triage["edimesh.dlq.original.partition"] == b"0"
        assert int(triage["edimesh.dlq.original.offset"]) == letter["original_offset"]
        assert triage["edimesh.dlq.attempts"] == b"1"
        assert triage["edimesh.dlq.error.class"]
        assert letter["service"] == "acknowledger"
        assert b"not avro" not in triage["edimesh.dlq.error.message"]
