"""The generator and the core agree: injected envelope errors are found where they were put,
and generate -> parse -> regenerate gives the same bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edimesh.x12.segments import SegmentTokenizer, render_segments
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p, iter_keys, summarize

from .helpers import all_problems, parse, units

ENVELOPE_ERRORS = [e for e in SynthError if summarize(
    SynthOptions(claims=40, claims_per_set=4, sets_per_group=5, errors=frozenset({e}))
).problems[0].info.envelope_invalid]


@pytest.mark.parametrize("error", ENVELOPE_ERRORS, ids=str)
def test_each_injected_envelope_error_is_reported_with_its_code(error: SynthError) -> None:
    options = SynthOptions(claims=40, claims_per_set=4, sets_per_group=5,
                           errors=frozenset({error}))
    (expected,) = summarize(options).problems
    events = parse(generate_837p(options), chunk=4099)
    found = [p for p in all_problems(events) if p.kind == str(error)]
    assert found, f"{error} not reported"
    assert found[0].code == expected.info.code
    if expected.set is not None:
        assert found[0].location.transaction_set == expected.set + 1
    # nothing else in the file is reported
    assert {p.kind for p in all_problems(events) if p.is_error} == {str(error)}


def test_keys_of_a_clean_file_match_the_generator() -> None:
    options = SynthOptions(claims=300, claims_per_set=7, sets_per_group=9,
                           groups_per_interchange=2)
    sets = units(parse(generate_837p(options), chunk=65536))
    assert [u.idempotency_key for u in sets] == list(iter_keys(options))
    assert all(u.problems == () for u in sets)


@given(
    st.sampled_from([("*", ":", "^", "~"), ("|", ">", "!", "\n"), ("^", "+", "\\", "'")]),
    st.sampled_from(["", "\n", "\r\n"]),
    st.integers(1, 30),
    st.integers(0, 2**16),
)
def test_generate_parse_regenerate_is_stable(
    delimiters: tuple[str, str, str, str], newline: str, claims: int, seed: int
) -> None:
    el, comp, rep, term = delimiters
    if term == "\n" and newline:
        newline = ""
    options = SynthOptions(claims=claims, claims_per_set=3, seed=seed, element_sep=el,
                           component_sep=comp, repetition_sep=rep, segment_term=term,
                           newline=newline)
    data = generate_837p(options)
    tokenizer = SegmentTokenizer()
    segments = tokenizer.feed(data) + tokenizer.finish()
    assert render_segments(segments, segments[0].delimiters, newline.encode()) == data
    assert all_problems(parse(data, chunk=997)) == []
