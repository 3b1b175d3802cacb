"""The sample plan of `edimesh local --claims N [--errors]`."""

from __future__ import annotations

from collections import Counter

import pytest

from edimesh.errors import ConfigError
from edimesh.local.samples import DUPLICATE, ERROR_KINDS, NOT_X12, plan_samples, sample_claims
from edimesh.x12.synth import summarize


@pytest.mark.parametrize(("claims", "errors"), [(1, False), (2500, False), (400, True)])
def test_claims_add_up_to_the_total(claims: int, errors: bool) -> None:
    files = plan_samples(claims, errors=errors)
    assert sample_claims(files) == claims
    assert len({f.name for f in files}) == len(files)
    assert len({f.render() for f in files}) == len(files)  # distinct bytes: none deduped


def _isa13s(data: bytes) -> list[str]:
    return [seg.split(b"*")[13].decode() for seg in data.split(b"~") if seg.startswith(b"ISA*")]


def test_only_the_planned_pair_repeats_an_interchange_and_waits_for_the_first() -> None:
    files = plan_samples(400, errors=True)
    seen = Counter(isa13 for f in files for isa13 in _isa13s(f.render()))
    pair = [f for f in files if f.kind == DUPLICATE]
    assert [f.after_previous for f in pair] == [False, True]
    assert [isa13 for isa13, n in seen.items() if n > 1] == _isa13s(pair[0].render())
    assert [f.name for f in files if f.after_previous] == [pair[1].name]


def test_every_error_kind_is_fed_once_and_lands_where_planned() -> None:
    files = plan_samples(400, errors=True)
    kinds = Counter(f.kind for f in files)
    assert set(ERROR_KINDS) <= set(kinds)
    assert kinds[NOT_X12] == 1
    for f in files:
        if f.options is not None and f.kind not in ("clean", DUPLICATE):
            assert [p.error.value for p in summarize(f.options).problems] == [f.kind]


def test_too_few_claims_for_the_error_mix() -> None:
    with pytest.raises(ConfigError, match="--claims"):
        plan_samples(10, errors=True)
