"""The splitter service against the real broker: outputs, dead letters, duplicates, big sets."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from edimesh.mesh.codec import decode
from edimesh.mesh.schemas import MessageType
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p, iter_keys
from tests.integration.splitter.harness import SplitterBench

CLEAN = SynthOptions(claims=60, claims_per_set=3, sets_per_group=7)


async def test_a_clean_file_is_split_into_sets_and_manifests(
    bench: SplitterBench, kafka_admin: Any
) -> None:
    data = generate_837p(CLEAN)
    file_id = await bench.stage(data)
    async with bench.running(batch_max_outputs=4):
        await bench.wait_consumed(kafka_admin)
    sets = await bench.decoded(bench.topics.transactions)
    assert sorted(s["idempotency_key"] for s in sets) == sorted(iter_keys(CLEAN))
    for s in sets:
        assert s["file_id"] == file_id
        assert s["body"] == data[s["byte_offset"] : s["byte_offset"] + len(s["body"])]
    records = await bench.read(bench.topics.transactions)
    for record, decoded in zip(records, sets, strict=True):
        assert record.key.decode() == decoded["idempotency_key"]
        assert dict(record.headers)["edimesh.schema"] == b"TransactionSet"
    manifests = await bench.decoded(bench.topics.group_manifests)
    assert sorted(m["set_count"] for m in manifests) == [6, 7, 7]
    assert await bench.decoded(bench.topics.acks) == []
    assert await bench.decoded(bench.topics.quarantine) == []
    progress = (await bench.decoded(bench.topics.splitter_progress))[-1]
    assert progress["done"]
    assert progress["sets"] == 20
    ledger = await bench.decoded(bench.topics.interchange_ledger)
    assert [e["interchange_index"] for e in ledger] == [1, 2, 3]  # one group per interchange
    assert {e["file_id"] for e in ledger} == {file_id}


async def test_unusable_file_staged_events_are_dead_lettered_and_the_loop_goes_on(
    bench: SplitterBench, kafka_admin: Any
) -> None:
    data = generate_837p(SynthOptions(claims=6, claims_per_set=3))
    file_id, path = bench.write_staged(data)
    outside = bench.staging.parent / "outside.x12"
    outside.write_bytes(data)
    await bench.publish(bench.file_staged("a" * 64, bench.staging / ("a" * 64), size=10))
    await bench.publish(bench.file_staged(file_id, path, uri=outside.as_uri()))
    await bench.publish(bench.file_staged(file_id, path, uri=f"file://{bench.staging}/../outside.x12"))
    await bench.publish(bench.file_staged(file_id, path, size=len(data) + 1))
    await bench.publish({}, key=b"poison", raw_value=b"\x00not avro", headers=[])
    await bench.publish(bench.file_staged(file_id, path, uri="https://example.org/x"))
    await bench.publish({}, raw_value=b"\x00keyless", headers=[], keyless=True)
    good = await bench.stage(generate_837p(CLEAN))
    async with bench.running():
        await bench.wait_consumed(kafka_admin)
    dead = await bench.decoded(bench.topics.dlq)
    assert [d["error_class"].rsplit(".", 1)[-1] for d in dead] == [
        "StagedFileMissingError", "StagingUriError", "StagingUriError",
        "StagedFileMismatchError", "SerializationError", "StagingUriError", "SerializationError",
    ]  # fmt: skip
    assert [d["original_offset"] for d in dead] == list(range(7))
    assert all(d["service"] == "splitter" and d["attempt_count"] == 1 for d in dead)
    assert dead[4]["original_value"] == b"\x00not avro"
    assert dead[4]["original_key"] == b"poison"
    assert dead[6]["original_key"] is None
    assert not any(str(bench.staging) in d["error_message"] for d in dead)  # no paths
    # The triage headers every service writes, with no values of the original message.
    for record, letter in zip(await bench.read(bench.topics.dlq), dead, strict=True):
        triage = dict(record.headers)
        assert triage["edimesh.dlq.original.topic"] == bench.topics.files_staged.name.encode()
        assert int(triage["edimesh.dlq.original.partition"]) == letter["original_partition"]
        assert int(triage["edimesh.dlq.original.offset"]) == letter["original_offset"]
        assert triage["edimesh.dlq.error.class"] == letter["error_class"].encode()
        assert triage["edimesh.dlq.error.message"] == letter["error_message"].encode()
        assert triage["edimesh.dlq.attempts"] == b"1"
        assert triage["edimesh.dlq.service"] == b"splitter"
        assert str(bench.staging).encode() not in b"".join(triage.values())
    sets = await bench.decoded(bench.topics.transactions)
    assert {s["file_id"] for s in sets} == {good}
    assert len(sets) == 20


async def test_interchange_errors_reach_acks_and_quarantine(
    bench: SplitterBench, kafka_admin: Any
) -> None:
    options = SynthOptions(claims=9, claims_per_set=3,
                           errors=frozenset({SynthError.IEA01_COUNT}))  # fmt: skip
    await bench.stage(generate_837p(options))
    async with bench.running():
        await bench.wait_consumed(kafka_admin)
    [ack] = await bench.decoded(bench.topics.acks)
    assert (ack["kind"], ack["status"], ack["note_code"]) == ("TA1", "E", "021")
    [quarantined] = await bench.decoded(bench.topics.quarantine)
    assert quarantined["scope"] == "INTERCHANGE"
    assert len(await bench.decoded(bench.topics.transactions)) == 3


async def test_a_resent_interchange_gets_ta1_025_and_no_duplicate_sets(
    bench: SplitterBench, kafka_admin: Any
) -> None:
    data = generate_837p(CLEAN)
    first = await bench.stage(data)
    async with bench.running():
        await bench.wait_consumed(kafka_admin)
        again = await bench.stage(data + b"\r\n")  # same interchanges, another file
        await bench.wait_consumed(kafka_admin)
    assert first != again
    sets = await bench.read(bench.topics.transactions)
    assert Counter(r.key for r in sets).most_common(1)[0][1] == 1
    assert len(sets) == 20
    acks = await bench.decoded(bench.topics.acks)
    assert [(a["note_code"], a["status"], a["file_id"]) for a in acks] == [("025", "R", again)] * 3
    quarantined = await bench.decoded(bench.topics.quarantine)
    assert [q["errors"][0]["code"] for q in quarantined] == ["025"] * 3


async def test_the_same_file_staged_twice_gives_no_duplicate_sets(
    bench: SplitterBench, kafka_admin: Any
) -> None:
    data = generate_837p(CLEAN)
    await bench.stage(data)
    await bench.stage(data)
    async with bench.running():
        await bench.wait_consumed(kafka_admin)
        await bench.stage(data)  # and once more while it runs
        await bench.wait_consumed(kafka_admin)
    sets = await bench.read(bench.topics.transactions)
    assert sorted(r.key.decode() for r in sets) == sorted(iter_keys(CLEAN))
    assert await bench.decoded(bench.topics.acks) == []


async def test_a_set_above_the_threshold_goes_by_reference_and_reads_back_intact(
    bench: SplitterBench, kafka_admin: Any
) -> None:
    options = SynthOptions(claims=400, claims_per_set=200, sets_per_group=2)
    data = generate_837p(options)
    file_id = await bench.stage(data)
    async with bench.running(inline_max_bytes=64 * 1024, read_chunk_bytes=16 * 1024):
        await bench.wait_consumed(kafka_admin)
    records = await bench.read(bench.topics.transactions)
    assert len(records) == 2
    for record in records:
        assert len(record.value) < 4096  # the message is small: the body stayed in staging
        decoded = decode(record.value, record.headers, expected=MessageType.TRANSACTION_SET)
        ref = decoded["body"]
        assert isinstance(ref, dict)
        assert ref["length"] > 64 * 1024
        assert ref["staging_uri"] == (bench.staging / file_id).as_uri()
        with (bench.staging / file_id).open("rb") as fh:
            fh.seek(ref["byte_offset"])
            piece = fh.read(ref["length"])
        assert hashlib.sha256(piece).hexdigest() == ref["sha256"]
        assert piece.startswith(b"ST*837*")
        assert piece.endswith(b"~")
        assert decoded["segment_count"] == piece.count(b"~")
