"""The corpus through full validation.

Every file INDEX.md marks valid whose guide is supported validates with no SNIP 1-3 error,
or is listed in KNOWN below with the defect of the sample that explains each finding (each
was checked by hand against the file). Every intentionally invalid file is flagged, and
agrees with the golden pyx12 acknowledgments beside it on which sets are rejected.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edimesh.checker.reader import scan_file
from edimesh.validation import ValidationResult, validate_unit
from edimesh.x12.events import TransactionSetUnit

CORPUS = Path(__file__).parents[2] / "data" / "corpus"
_NO_PER_BL = "1000A has no PER*BL (payer technical contact), which X221A1 requires"
_GT = "composites use '>' as component separator while ISA16 declares ':'"
KNOWN: dict[str, tuple[set[str], str]] = {
    "LinuxForHealth-x12/demo-file/demo.835": (
        {"snip2.required_segment", "snip2.not_used_element"},
        f"{_NO_PER_BL}; TS309/TS311 filled as in 004010, not used in 005010"),
    "LinuxForHealth-x12/src/tests/resources/835_005010X221A1/medicare-part-a.835": (
        {"snip2.required_segment", "snip2.not_used_element"},
        f"{_NO_PER_BL}; TS309/TS311 filled as in 004010, not used in 005010"),
    "LinuxForHealth-x12/src/tests/resources/835_005010X221A1/cob-contractural-adjustment.835": (
        {"snip1.required_element", "snip1.too_long", "snip2.required_segment"},
        f"BPR has one separator too few (the date lands in BPR15, BPR16 is empty); "
        f"SVC01 {_GT}; {_NO_PER_BL}"),
    "LinuxForHealth-x12/src/tests/resources/835_005010X221A1/secondary-payment.835": (
        {"snip1.required_element", "snip1.too_long", "snip2.required_segment"},
        f"BPR has one separator too few (BPR16 is empty); SVC01 {_GT}; {_NO_PER_BL}"),
    "LinuxForHealth-x12/src/tests/resources/835_005010X221A1/managed-care.835": (
        {"snip1.invalid_date", "snip2.required_segment"},
        f"BPR16 is not a date (month 23); {_NO_PER_BL}"),
    "LinuxForHealth-x12/src/tests/resources/835_005010X221A1/tertiary-payment.835": (
        {"snip1.required_element", "snip1.too_short", "snip2.required_segment",
         "snip3.service_payment"},
        "SVC01 holds the qualifier alone and every later value is shifted one element, so "
        f"SVC06 is malformed and SVC02-SVC03 cannot balance; BPR16 is empty; {_NO_PER_BL}"),
    "LinuxForHealth-x12/src/tests/resources/837_005010X222A2/demo.ambulance.example5.837": (
        {"snip1.required_element"}, "CLM05-2 (facility code qualifier, B) is empty: 41::1"),
    "LinuxForHealth-x12/src/tests/resources/837_005010X222A2/demo.cob.example3.A.837": (
        {"snip2.required_segment"}, "2320 has no 2330B other payer name loop, which is required"),
    "LinuxForHealth-x12/src/tests/resources/837_005010X222A2/demo.cob.example4.837": (
        {"snip2.code_value"}, "2320 AMT*F2 is a 004010 qualifier; 005010 allows D, A8, EAF"),
    "LinuxForHealth-x12/demo-file/demo.837i": (
        {"snip2.code_value"}, "statement dates DTP*434 sent as D8; X223 allows RD8 only"),
    "LinuxForHealth-x12/src/tests/resources/837_005010X223A3/institutional-claim.837i": (
        {"snip2.code_value"}, "statement dates DTP*434 sent as D8; X223 allows RD8 only"),
    **{
        f"LinuxForHealth-x12/src/tests/resources/{name}": (
            {"snip1.required_element", "snip1.too_long"} | extra, f"CLM05, HI and SV1 {_GT}")
        for name, extra in (
            ("837_005010X222A2/demo.cob.2ndary.example4.837", set()),
            ("837_005010X222A2/demo.example6.837", set()),
            ("837_005010X222A2/demo.example12.837", set()),
            ("837_005010X222A2/demo.example11.837", {"snip1.invalid_character"}),
            ("837_005010X222A2/demo.example9.837", {"snip1.invalid_character"}),
            ("837_005010X223A3/out-of-network-repriced-claim.837i", set()),
            ("837_005010X223A3/ppo-repriced-claim.837i", set()),
        )
    },
}


def index_rows() -> dict[str, str]:
    rows = {}
    for line in (CORPUS / "INDEX.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 8 and "/" in cells[1]:
            rows[cells[1]] = cells[8]
    return rows


def results(path: Path) -> list[tuple[TransactionSetUnit, ValidationResult]]:
    return [(e, validate_unit(e)) for e in scan_file(path)
            if isinstance(e, TransactionSetUnit) and e.raw is not None]


ROWS = index_rows()
VALID = sorted(n for n, expected in ROWS.items() if expected.startswith("valid"))
INVALID = sorted(n for n, expected in ROWS.items() if expected.startswith("INVALID"))


@pytest.mark.parametrize("name", VALID)
def test_valid_files_have_no_snip_1_to_3_errors(name: str) -> None:
    found = {f.rule for _, r in results(CORPUS / name) if r.guide
             for f in r.findings if f.is_error and f.snip <= 3}
    allowed, reason = KNOWN.get(name, (set(), ""))
    assert found == allowed, reason or "a valid sample must validate"


def test_every_supported_valid_file_is_covered() -> None:
    supported = [n for n in VALID if any(r.guide for _, r in results(CORPUS / n))]
    assert len(supported) >= 35  # 837P, 837I, 835, 270, 271 samples
    assert set(KNOWN) <= set(supported)


@pytest.mark.parametrize("name", INVALID)
def test_invalid_files_are_flagged(name: str) -> None:
    pairs = results(CORPUS / name)
    envelope = any(p.is_error for u, _ in pairs for p in u.problems)
    assert envelope or any(r.route != "validated" for _, r in pairs)


def golden_pairs() -> list[tuple[str, Path]]:
    out = []
    for golden in sorted(CORPUS.rglob("*.997.base")):
        source = golden.with_name(golden.name.removesuffix(".997.base") + ".txt")
        if source.exists():
            out.append((str(source.relative_to(CORPUS)), golden))
    return out


@pytest.mark.parametrize(("name", "golden"), golden_pairs(), ids=lambda v: str(v)[-40:])
def test_agrees_with_golden_acknowledgments(name: str, golden: Path) -> None:
    """Every set pyx12 rejects (AK5 R) we reject too. The golden files are all 004010,
    which edimesh does not support: every set gets IK502 I6 (rejected), so the sets pyx12
    accepts are the one, documented, disagreement."""
    text = golden.read_text(encoding="latin-1")
    verdicts = [m.group(1) for m in re.finditer(r"AK5\*([AR])", text)]
    pairs = results(CORPUS / name)
    assert pairs, "every golden input holds at least one set"
    assert verdicts, "every golden acknowledgment answers at least one set"
    for unit, result in pairs:
        assert unit.gs08.startswith("004010")
        assert result.guide is None
        assert result.ack_code == "R"
        assert result.ik502 == ("I6",)
