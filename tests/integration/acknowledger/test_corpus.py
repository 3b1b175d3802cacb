"""The corpus end to end through splitter + validator + acknowledger on the real broker: one
999 per functional group, each a clean X231A1 interchange whose AK2s and AK9 counts match the
group's manifest and set results, and set results whose routes match `edimesh check --level
full` for every set of every file."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from edimesh.acknowledger.results import ROUTE_QUARANTINED, ROUTE_VALIDATED
from edimesh.checker.reader import scan_file
from edimesh.validation import validate_unit
from edimesh.x12.ack999 import ACCEPTED
from edimesh.x12.events import TransactionSetUnit
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p
from tests.integration.acknowledger.harness import AckBench, parse_999
from tests.integration.validator.harness import corpus_files
from tests.unit.acknowledger.valid999 import CORPUS_DEVIATIONS, assert_valid_999

SYNTH = SynthOptions(claims=60, claims_per_set=2, sets_per_group=7, groups_per_interchange=2,
                     errors=frozenset({SynthError.INVALID_NPI, SynthError.SE01_COUNT}))  # fmt: skip


def predicted_routes(path: Path, into: dict[str, set[str]]) -> None:
    """The SetResult route `check --level full` implies for each set (a set: corpus files
    repeat interchange keys, and the splitter emits only the first of a duplicate)."""
    for event in scan_file(path):
        if isinstance(event, TransactionSetUnit) and event.raw is not None:
            if any(p.is_error for p in event.problems):
                into[event.idempotency_key].add(ROUTE_QUARANTINED)  # envelope
            else:
                route = validate_unit(event).route
                into[event.idempotency_key].add(ROUTE_VALIDATED if route == "validated"
                                                else ROUTE_QUARANTINED)  # fmt: skip


async def test_every_group_gets_one_matching_999(
    abench: AckBench, kafka_admin: Any, tmp_path: Path
) -> None:
    splitter = abench.splitter
    synth = tmp_path / "synth.x12"
    synth.write_bytes(generate_837p(SYNTH))
    files = [synth, *corpus_files()]
    predicted: dict[str, set[str]] = defaultdict(set)
    for path in files:
        predicted_routes(path, predicted)
        await splitter.stage(path.read_bytes())
    async with (splitter.running(), abench.validator.running(batch_max_records=16),
                abench.running(batch_max_records=5)):  # fmt: skip
        await splitter.wait_consumed(kafka_admin)
        manifests = await splitter.decoded(splitter.topics.group_manifests)
        answered = [m for m in manifests if m["envelope"]["gs01"] != "FA"]
        await abench.wait_acks(len(answered))
        await abench.wait_consumed(kafka_admin)
    acks = await abench.acks()
    results = await splitter.decoded(splitter.topics.set_results)
    sets = await splitter.decoded(splitter.topics.transactions)

    # Every emitted set has exactly one result, routed as the checker predicts.
    assert Counter(r["idempotency_key"] for r in results) == Counter(
        s["idempotency_key"] for s in sets)  # fmt: skip
    assert len(sets) >= 30, len(sets)
    assert len(manifests) >= 10, len(manifests)
    for result in results:
        key = result["idempotency_key"]
        assert result["route"] in predicted[key], key

    # Exactly one 999 per group, keyed and addressed by its group key; none for a group of
    # acknowledgments (GS01 FA), which X12 does not acknowledge.
    assert len({m["group_key"] for m in manifests}) == len(manifests)
    by_group = {m["group_key"]: m for m in manifests if m["envelope"]["gs01"] != "FA"}
    assert len(by_group) < len(manifests), "the corpus holds 997/999 groups"
    assert Counter(k for k, _ in acks) == Counter(g.encode() for g in by_group)
    results_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        results_of[result["group_key"]].append(result)
    statuses: Counter[str] = Counter()
    for key, ack in acks:
        assert key is not None
        group_key = key.decode()
        manifest, mine = by_group[group_key], results_of[group_key]
        assert ack["kind"] == "ACK_999"
        assert ack["acknowledges"]["group_key"] == group_key
        parsed = parse_999(ack["x12"])
        assert parsed.clean, group_key
        assert_valid_999(ack["x12"], tolerate=CORPUS_DEVIATIONS)
        ak1 = parsed.one("AK1")
        env = manifest["envelope"]
        assert (ak1.element(1), ak1.element(2), ak1.element(3)) == (
            env["gs01"], env["gs06"], env["gs08"])  # fmt: skip
        assert sorted(s.element(2) for s in parsed.all("AK2")) == sorted(r["st02"] for r in mine)
        assert len(mine) == manifest["emitted_count"]
        ak9 = parsed.one("AK9")
        accepted = sum(1 for r in mine if r["ik501"] in ACCEPTED)
        assert int(ak9.element(3)) == manifest["set_count"]
        assert int(ak9.element(4)) == accepted
        assert ak9.element(1) == ack["status"]
        statuses[ack["status"]] += 1
    assert statuses["A"], statuses
    assert len(statuses) > 1, statuses  # clean groups and groups in error
