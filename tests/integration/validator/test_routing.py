"""The validator on the real broker: every set routed as `edimesh check --level full` predicts,
keyed by its idempotency key, exactly once."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from edimesh.checker.reader import scan_file
from edimesh.mesh.codec import decode
from edimesh.mesh.schemas import MessageType
from edimesh.validation import validate_unit
from edimesh.x12.events import TransactionSetUnit
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p
from tests.integration.validator.harness import ValidatorBench, corpus_files

SYNTH = SynthOptions(claims=40, claims_per_set=2, sets_per_group=5,
                     errors=frozenset({SynthError.INVALID_NPI, SynthError.SE01_COUNT}))  # fmt: skip


def _predict(path: Path, into: dict[str, set[str]]) -> None:
    """The route `check --level full` gives each set ("envelope" for sets with envelope errors)."""
    for event in scan_file(path):
        if isinstance(event, TransactionSetUnit) and event.raw is not None:
            if any(p.is_error for p in event.problems):
                into[event.idempotency_key].add("envelope")
            else:
                into[event.idempotency_key].add(validate_unit(event).route)


def _observed(topic: str, value: dict[str, Any]) -> str:
    return "validated" if topic == "validated" else str(value["category"]).lower()


async def test_synthetic_and_corpus_sets_route_as_the_checker_predicts(
    vbench: ValidatorBench, kafka_admin: Any, tmp_path: Path
) -> None:
    expected: dict[str, set[str]] = defaultdict(set)
    synth = tmp_path / "synth.x12"
    synth.write_bytes(generate_837p(SYNTH))
    files = [synth, *corpus_files()]
    for path in files:
        _predict(path, expected)
        await vbench.splitter.stage(path.read_bytes())
    async with vbench.splitter.running():
        sets = [decode(r.value, r.headers, expected=MessageType.TRANSACTION_SET)
                for r in await _wait_sets(vbench, kafka_admin)]  # fmt: skip
        before = await vbench.outputs()  # the splitter's own quarantine records
        async with vbench.running(batch_max_records=7, worker_processes=2):
            outputs = await vbench.wait_outputs(len(sets), before)
    keys = [s["idempotency_key"] for s in sets]
    by_key = {o.key.decode(): o for o in outputs if o.key is not None}
    assert Counter(o.key for o in outputs) == Counter(k.encode() for k in keys)
    routes: Counter[str] = Counter()
    for key in keys:
        out = by_key[key]
        assert out.topic != "dlq", out.value["error_class"]
        route = _observed(out.topic, out.value)
        assert route in expected[key], key
        routes[route] += 1
    assert routes["validated"], routes
    assert routes["schema"] + routes["business"] + routes["envelope"], routes


async def _wait_sets(vbench: ValidatorBench, admin: Any) -> list[Any]:
    """The splitter's committed sets, once the splitter has consumed every staged file."""
    await vbench.splitter.wait_consumed(admin)
    return await vbench.splitter.read(vbench.splitter.topics.transactions)
