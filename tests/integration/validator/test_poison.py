"""Poison messages go to the DLQ with their triage headers, and the partition keeps flowing."""

from __future__ import annotations

import hashlib
from pathlib import Path

from edimesh.mesh import messages
from edimesh.mesh.codec import VERSION_HEADER, encode
from edimesh.mesh.schemas import MessageType
from edimesh.x12.synth import SynthOptions, generate_837p
from tests.integration.validator.harness import ValidatorBench
from tests.unit.validator.sets import record_of, units_of


def _sets(tmp_path: Path, vbench: ValidatorBench) -> tuple[list[messages.TransactionSet], bytes]:
    path = tmp_path / "synth.x12"
    data = generate_837p(SynthOptions(claims=6, claims_per_set=2, sets_per_group=3))
    path.write_bytes(data)
    return [record_of(u) for u in units_of(path)], data


async def test_poison_messages_are_dead_lettered_and_the_partition_keeps_flowing(
    vbench: ValidatorBench, tmp_path: Path
) -> None:
    sets, data = _sets(tmp_path, vbench)
    first, second, third = sets[:3]
    staged = vbench.splitter.staging / hashlib.sha256(data).hexdigest()
    staged.write_bytes(data)
    body = first["body"]
    assert isinstance(body, bytes)
    ref: messages.BodyRef = {
        "staging_uri": staged.as_uri(), "byte_offset": first["byte_offset"],
        "length": len(body), "sha256": hashlib.sha256(body).hexdigest(),
    }  # fmt: skip
    by_reference: messages.TransactionSet = {**first, "body": ref}
    bad_digest: messages.TransactionSet = {**second, "idempotency_key": "bad-digest",
                                           "body": {**ref, "sha256": "00" * 32}}  # fmt: skip

    value, headers = encode(MessageType.TRANSACTION_SET, third)
    future = [(k, b"99") if k == VERSION_HEADER else (k, v) for k, v in headers]
    await vbench.publish_raw(b"\x00\xffnot avro at all", [], key=None)
    await vbench.publish_raw(value[: len(value) // 2], headers, key=b"truncated")
    await vbench.publish_raw(value, future, key=b"future")
    for record in (bad_digest, by_reference, second, third):
        value, headers = encode(MessageType.TRANSACTION_SET, record)
        await vbench.publish_raw(value, headers, key=record["idempotency_key"].encode())

    async with vbench.running():
        outputs = await vbench.wait_outputs(7)
    dlq = [o for o in outputs if o.topic == "dlq"]
    assert sorted(o.key or b"" for o in dlq) == [b"", b"bad-digest", b"future", b"truncated"]
    source = vbench.splitter.topics.transactions.name.encode()
    for o in dlq:
        assert o.headers["edimesh.dlq.original.topic"] == source
        assert o.headers["edimesh.dlq.original.partition"] == b"0"
        assert int(o.headers["edimesh.dlq.original.offset"]) == o.value["original_offset"]
        assert o.headers["edimesh.dlq.attempts"] == b"1"
        assert o.value["service"] == "validator"
        assert b"not avro" not in o.headers["edimesh.dlq.error.message"]
    classes = {o.key: o.headers["edimesh.dlq.error.class"] for o in dlq}
    assert classes[b"bad-digest"] == b"edimesh.validator.bodies.BodyFetchError"
    assert classes[b"future"] == b"edimesh.errors.SerializationError"
    routed = {o.key for o in outputs if o.topic != "dlq"}
    assert routed == {s["idempotency_key"].encode() for s in (first, second, third)}
