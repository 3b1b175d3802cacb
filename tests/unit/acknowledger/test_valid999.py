"""assert_valid_999 passes a built 999 and fails one damaged anywhere the guide looks."""

from __future__ import annotations

import pytest

from tests.unit.acknowledger.pipeline import run_pipeline
from tests.unit.acknowledger.test_golden_999 import GOLDEN
from tests.unit.acknowledger.valid999 import assert_valid_999


def _built(case: str) -> str:
    return run_pipeline((GOLDEN / f"{case}.x12").read_bytes()).ack.text


def test_a_built_999_passes() -> None:
    assert_valid_999(_built("snip2_error"))


@pytest.mark.parametrize(("old", "new"), [
    ("~IK5*R*5~", "~IK5*Q*5~"),  # IK501 code
    ("~IK5*R*5~", "~IK5*R*55~"),  # IK502 code
    ("~IK3*SV1*23*2400*8~", "~IK3*SV1*23*2400~"),  # IK304 required
    ("~IK4*3*355*7~", "~IK4*3*355*77~"),  # IK403 code
    ("~CTX*CLM01:", "~CTX*CLM02:"),  # not a business unit the guide names
    ("~AK9*P*", "~AK9*Z*"),  # AK901 code
    ("~AK1*HC*1*", "~AK1*HC**"),  # AK102 required
])  # fmt: skip
def test_a_damaged_999_fails(old: str, new: str) -> None:
    text = _built("snip2_error")
    assert old in text
    with pytest.raises(AssertionError):
        assert_valid_999(text.replace(old, new, 1))


def test_tolerated_deviations_are_only_the_named_ones() -> None:
    text = _built("clean_group").replace("~AK1*HC*", "~AK1*FA*", 1)
    tolerated = frozenset({("snip2.code_value", "AK101")})
    assert_valid_999(text, tolerate=tolerated)
    with pytest.raises(AssertionError):
        assert_valid_999(text)
    with pytest.raises(AssertionError):
        assert_valid_999(text.replace("~AK9*A*", "~AK9*Z*", 1), tolerate=tolerated)
