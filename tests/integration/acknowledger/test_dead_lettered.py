"""A set the validator dead-letters (its by-reference body cannot be fetched) still answers in
its group's 999: the validator emits a DEAD_LETTERED SetResult with IK501 R alongside the dead
letter, so the group completes instead of timing out."""

from __future__ import annotations

from pathlib import Path

from edimesh.mesh import messages
from edimesh.mesh.codec import encode
from edimesh.mesh.schemas import MessageType
from edimesh.x12.synth import SynthOptions, generate_837p
from tests.integration.acknowledger.harness import AckBench, parse_999
from tests.integration.acknowledger.records import manifest, send
from tests.unit.mesh_samples import GROUP_KEY
from tests.unit.validator.sets import record_of, units_of


async def test_a_dead_lettered_set_is_rejected_in_its_groups_999(
    abench: AckBench, tmp_path: Path
) -> None:
    path = tmp_path / "synth.x12"
    path.write_bytes(generate_837p(SynthOptions(claims=3, claims_per_set=1, sets_per_group=3)))
    sets = [record_of(u) for u in units_of(path)]
    assert len(sets) == 3
    unfetchable: messages.BodyRef = {
        "staging_uri": (abench.splitter.staging / "missing").as_uri(), "byte_offset": 0,
        "length": 10, "sha256": "00" * 32,
    }  # fmt: skip
    sets[1] = {**sets[1], "body": unfetchable}
    for record in sets:
        value, headers = encode(MessageType.TRANSACTION_SET, record)
        await abench.validator.publish_raw(value, headers, record["idempotency_key"].encode())
    group = {**manifest(GROUP_KEY, emitted=3), "envelope": sets[0]["envelope"]}
    await send(abench, group, MessageType.GROUP_MANIFEST)

    async with abench.validator.running(), abench.running():
        acks = await abench.wait_acks(1)
    results = await abench.splitter.decoded(abench.splitter.topics.set_results)
    routes = {r["st02"]: (r["route"], r["ik501"]) for r in results}
    assert routes[sets[1]["st02"]] == ("DEAD_LETTERED", "R")
    assert len(await abench.splitter.read(abench.splitter.topics.dlq)) == 1

    parsed = parse_999(acks[0][1]["x12"])
    assert parsed.clean
    ik5 = [s.element(1) for s in parsed.all("IK5")]
    assert ik5.count("R") == 1
    ak9 = parsed.one("AK9")
    assert (ak9.element(1), ak9.element(3), ak9.element(4)) == ("P", "3", "2")
