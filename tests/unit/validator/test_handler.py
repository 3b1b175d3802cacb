"""The pure validator handler: routes, categories, keys, findings without values."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from edimesh.mesh import messages
from edimesh.mesh.codec import decode, encode
from edimesh.validator.handler import (
    Category,
    ClaimUnits,
    Destination,
    SetJob,
    ValidationFailedError,
    Verdict,
    check_set,
    route_envelope,
    route_set,
)
from edimesh.x12.ack999 import MAX_BUSINESS_UNIT
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


def _bad_units(body: bytes) -> tuple[bytes, list[str]]:
    """Each claim's first SV103 made ZZ (not a unit code), and the CLM01s in set order."""
    text = body.decode("latin-1")
    clm01s = re.findall(r"CLM\*([^*~]*)\*", text)
    parts = text.split("CLM*")
    parts[1:] = [re.sub(r"(SV1\*[^*]*\*[^*]*\*)UN\*", r"\1ZZ*", p, count=1) for p in parts[1:]]
    return "CLM*".join(parts).encode("latin-1"), clm01s


@pytest.mark.parametrize("newline", ["", "\r\n"])
def test_each_ik3_in_a_claim_carries_that_claims_clm01(tmp_path: Path, newline: str) -> None:
    path = _synth(tmp_path, claims=3, claims_per_set=3, sets_per_group=1, newline=newline)
    [unit] = units_of(path)
    record = record_of(unit)
    body, clm01s = _bad_units(unit.raw or b"")
    # An empty segment before the second claim: positions and offsets must still line up.
    second = body.index(b"CLM*", body.index(b"CLM*") + 1)
    body = body[:second] + b"~" + newline.encode() + body[second:]
    verdict = check_set(SetJob.of({**record, "body": body}, body))
    sv1 = [n for n in verdict.ack.notes if n.segment_id == "SV1"]
    assert len(clm01s) == 3
    assert [n.business_unit for n in sv1] == [("CLM01", v[:MAX_BUSINESS_UNIT]) for v in clm01s]
    outside = [n for n in verdict.ack.notes if not (n.loop_id or "").startswith(("23", "24"))]
    assert outside  # the empty segment, in 2010BB
    assert all(n.business_unit is None for n in outside)


def test_claim_units_pick_the_last_claim_at_or_before_an_offset() -> None:
    units = ClaimUnits((100, 250), (("CLM01", "A"), ("CLM01", "B")))
    assert units.at(99) is None
    assert units.at(100) == ("CLM01", "A")
    assert units.at(249) == ("CLM01", "A")
    assert units.at(250) == ("CLM01", "B")
    assert units.at(None) == ("CLM01", "B")  # past the set's last segment
    assert ClaimUnits((), ()).at(None) is None
