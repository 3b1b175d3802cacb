"""The pure validator handler: routes, categories, keys, findings without values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from edimesh.mesh import messages
from edimesh.mesh.codec import decode, encode
from edimesh.validator.handler import (
    Category,
    Destination,
    SetJob,
    ValidationFailedError,
    Verdict,
    check_set,
    route_envelope,
    route_set,
)
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p
from tests.unit.mesh_samples import PROBLEM, TRANSACTION_SET
from tests.unit.validator.sets import predicted_route, record_of, units_of

NOW = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
EXPECTED = {"validated": Destination.VALIDATED, "schema": Destination.QUARANTINE,
            "business": Destination.QUARANTINE}  # fmt: skip


def _synth(tmp_path: Path, **options: object) -> Path:
    path = tmp_path / "synth.x12"
    path.write_bytes(generate_837p(SynthOptions(**options)))  # type: ignore[arg-type]
    return path


def _route(record: messages.TransactionSet) -> tuple[Destination, dict[str, Any]]:
    body = record["body"]
    assert isinstance(body, bytes)
    output = route_envelope(record, NOW) or route_set(record, check_set(SetJob.of(record, body)),
                                                       NOW)  # fmt: skip
    value, headers = encode(output.message_type, output.record)  # the schema accepts it
    assert output.key == record["idempotency_key"]
    return output.destination, decode(value, headers)


def test_clean_synthetic_sets_are_validated_with_content_and_summary(tmp_path: Path) -> None:
    units = units_of(_synth(tmp_path, claims=6, sets_per_group=3))
    assert units
    for unit in units:
        destination, out = _route(record_of(unit))
        assert destination is Destination.VALIDATED
        assert out["set_type"] == "837P"
        assert out["guide"] == "005010X222A1"
        assert out["content_json"].startswith(b"{")
        assert out["summary"]["claim_count"] >= 1
        assert out["summary"]["errors"] == 0


@pytest.mark.parametrize("error", [SynthError.INVALID_NPI])
def test_synthetic_errors_route_as_the_checker_predicts(tmp_path: Path, error: SynthError) -> None:
    units = units_of(_synth(tmp_path, claims=4, sets_per_group=2, errors=frozenset({error})))
    routes = set()
    for unit in units:
        destination, out = _route(record_of(unit))
        route = predicted_route(unit)
        routes.add(route)
        assert destination is EXPECTED[route]
        if route != "validated":
            assert out["category"] == route.upper()
            assert out["errors"]
            assert out["raw"] == unit.raw
            assert all(e["snip_level"] is not None for e in out["errors"])
    assert routes != {"validated"}


def test_sets_with_envelope_problems_are_quarantined_as_envelope() -> None:
    record = {**TRANSACTION_SET, "problems": [PROBLEM]}
    output = route_envelope(record, NOW)  # type: ignore[arg-type]
    assert output is not None
    assert output.destination is Destination.QUARANTINE
    assert output.record["category"] == str(Category.ENVELOPE)  # type: ignore[typeddict-item]
    assert output.record["errors"][0]["code"] == PROBLEM["code"]  # type: ignore[typeddict-item]
    assert route_envelope({**TRANSACTION_SET, "problems": []}, NOW) is None


def test_an_unsupported_guide_is_a_schema_quarantine() -> None:
    record: messages.TransactionSet = {**TRANSACTION_SET, "st01": "850", "st03": None,
                                       "gs08": "004010", "problems": []}  # fmt: skip
    destination, out = _route(record)
    assert destination is Destination.QUARANTINE
    assert out["category"] == "SCHEMA"


def test_an_unroutable_verdict_is_fatal() -> None:
    summary: messages.ValidationSummary = {"claim_count": 0, "total_charge": None,
                                           "total_paid": None, "errors": 0, "warnings": 0,
                                           "infos": 0}  # fmt: skip
    verdict = Verdict("validated", None, None, None, None, summary, [])
    with pytest.raises(ValidationFailedError):
        route_set(TRANSACTION_SET, verdict, NOW)


def test_corpus_sets_route_as_the_checker_predicts(tmp_path: Path) -> None:
    corpus = Path(__file__).resolve().parents[2] / "data" / "corpus"
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in
                   {".x12", ".edi", ".txt", ".837", ".835"})  # fmt: skip
    assert files, corpus
    seen = 0
    for path in files:
        for unit in units_of(path):
            if unit.problems:
                continue
            destination, _ = _route(record_of(unit))
            assert destination is EXPECTED[predicted_route(unit)], path.name
            seen += 1
    assert seen
