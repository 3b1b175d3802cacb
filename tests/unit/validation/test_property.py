"""Generated valid 837Ps of random shape give no findings, and their JSON round-trips."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edimesh.validation import validate_unit
from edimesh.validation.models.claim import ClaimTransaction
from edimesh.validation.result import to_json
from edimesh.x12.synth import SynthOptions, generate_837p

from .helpers import problems, units_of

_DELIMITERS = st.sampled_from([("*", ":", "^", "~"), ("|", ">", "!", "\n"), ("^", "\\", "{", "'")])


@st.composite
def options(draw: st.DrawFn) -> SynthOptions:
    element, component, repetition, segment = draw(_DELIMITERS)
    low = draw(st.integers(1, 4))
    return SynthOptions(
        claims=draw(st.integers(1, 25)),
        claims_per_set=draw(st.integers(1, 10)),
        sets_per_group=draw(st.integers(1, 3)),
        lines_per_claim=(low, draw(st.integers(low, 8))),
        seed=draw(st.integers(0, 10_000)),
        element_sep=element,
        component_sep=component,
        repetition_sep=repetition,
        segment_term=segment,
        newline=draw(st.sampled_from(["", "\n", "\r\n"])) if segment != "\n" else "",
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options())
def test_valid_837p_gives_no_findings_and_round_trips(opts: SynthOptions) -> None:
    claims = 0
    for unit in units_of(generate_837p(opts)):
        result = validate_unit(unit)
        assert problems(result) == [], [(f.rule, f.element_ref) for f in problems(result)]
        assert result.route == "validated"
        content = result.content
        assert isinstance(content, ClaimTransaction)
        claims += result.summary.claim_count
        data = to_json(content)
        again = ClaimTransaction.model_validate_json(data)
        assert again == content
        assert to_json(again) == data
    assert claims == opts.claims
