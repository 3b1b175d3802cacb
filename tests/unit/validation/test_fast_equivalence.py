"""The set-pattern fast path gives exactly what the full parser gives: findings, content."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edimesh.validation import validate_set
from edimesh.x12.delimiters import DEFAULT_DELIMITERS
from edimesh.x12.events import TransactionSetUnit
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p

from . import samples
from .helpers import units_of
from .test_corpus import CORPUS
from .test_injection_837 import CASES as CASES_837
from .test_injection_other import CASES as CASES_OTHER


def _same(unit_raw: bytes, delimiters: object, st01: str, st03: str, gs08: str) -> None:
    fast = validate_set(unit_raw, delimiters, st01=st01, st03=st03, gs08=gs08)  # type: ignore[arg-type]
    slow = validate_set(unit_raw, delimiters, st01=st01, st03=st03, gs08=gs08,  # type: ignore[arg-type]
                        fast=False)
    assert fast.as_dict() == slow.as_dict()
    assert fast.content_json() == slow.content_json()


def _units() -> list[TransactionSetUnit]:
    out = []
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path.name != "INDEX.md":
            out += [u for u in units_of(path.read_bytes()) if u.raw is not None]
    return out


@pytest.mark.parametrize("unit", _units(), ids=lambda u: f"{u.st01}-{u.start}")
def test_corpus(unit: TransactionSetUnit) -> None:
    assert unit.raw is not None
    _same(unit.raw, unit.delimiters, unit.st01, unit.st03, unit.gs08)


def _raw(segments: list[str]) -> bytes:
    return ("~".join(segments) + "~").encode("latin-1")


@pytest.mark.parametrize("name", sorted(CASES_837))
def test_837_injections(name: str) -> None:
    segments, _ = CASES_837[name].change()
    _same(_raw(segments), DEFAULT_DELIMITERS, "837", "005010X222A1", "")


@pytest.mark.parametrize("name", sorted(CASES_OTHER))
def test_other_injections(name: str) -> None:
    from .helpers import replace_element

    (base, prefix, element, value, nth), _ = CASES_OTHER[name]
    segments, _ = replace_element(base, prefix, element, value, nth)
    st = segments[0].split("*")
    _same(_raw(segments), DEFAULT_DELIMITERS, st[1], st[3], "")


def test_samples() -> None:
    for name in ("REMIT_835", "INSTITUTIONAL_837", "DENTAL_837", "INQUIRY_270", "RESPONSE_271"):
        segments = getattr(samples, name)
        st = segments[0].split("*")
        _same(_raw(segments), DEFAULT_DELIMITERS, st[1], st[3], "")


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 12), st.integers(0, 999),
       st.sets(st.sampled_from([SynthError.INVALID_NPI, SynthError.UNBALANCED_CLAIM])))
def test_synthetic(claims: int, seed: int, errors: set[SynthError]) -> None:
    data = generate_837p(SynthOptions(claims=claims, claims_per_set=4, seed=seed,
                                      errors=frozenset(errors)))
    for unit in units_of(data):
        assert unit.raw is not None
        _same(unit.raw, unit.delimiters, unit.st01, unit.st03, unit.gs08)


def test_an_absent_date_pair_missing_a_separator_is_not_taken_for_absent() -> None:
    """PAT05/PAT06 (a date qualifier and its date) both empty need two separators; with one,
    every later element shifts left. The fast path must see that as the parser does."""
    from .helpers import validate
    from .test_injection_837 import WITH_PATIENT

    segments = list(WITH_PATIENT)
    i = next(k for k, s in enumerate(segments) if s.startswith("PAT*"))
    pat01 = segments[i].split("*")[1]
    segments[i] = f"PAT*{pat01}****D8*20240101*01*155.00"  # PAT05-08: qualifier, date, weight
    assert validate(segments).route == "validated"
    segments[i] = f"PAT*{pat01}*****01*155.00"  # PAT05-06 empty, one separator short
    raw = ("~".join(segments) + "~").encode("latin-1")
    _same(raw, DEFAULT_DELIMITERS, "837", "005010X222A1", "")
    assert validate(segments).route != "validated"
