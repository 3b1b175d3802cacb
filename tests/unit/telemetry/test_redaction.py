"""The scrubber: what looks like X12 content or an identifier goes; tokens and plain text stay."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edimesh.telemetry.redaction import scrub

from . import canaries


@pytest.mark.parametrize(
    "text",
    [
        canaries.SEGMENT,
        canaries.ADDRESS_SEGMENT,
        canaries.ISA,
        f"bad segment {canaries.SEGMENT} at 3",
        "NM1|IL|1|ZQXDOE|ZQXJOHN",  # another element separator
        "DMG^D8^19620415^F",
        "N4+ZQXTOWN+NY+120371234~",  # separators the segment rule does not know: the ~ catches it
        f"ssn {canaries.SSN} and {canaries.SSN_DASHED} and 912 87 3465",
        f"born {canaries.BIRTH_DATE}, 1962-04-15, 4/15/1962",
        f"member {canaries.MEMBER_ID}",
        f"key {canaries.IDEMPOTENCY_KEY}",
        "digest " + canaries.sha256_hex(canaries.SSN),
        "phone 518-555-0147",
    ],
)
def test_phi_shaped_text_is_scrubbed(text: str) -> None:
    out = scrub(text)
    assert "[redacted:" in out
    assert not canaries.leaks(out)
    assert not re.search(r"\d{6}|ZQX(DOE|JOHN|MAPLE|TOWN)|1962|0147", out)


@pytest.mark.parametrize(
    "text",
    [
        "consumer joined group splitter-0 on 127.0.0.1:9092",
        "partition 3 offset 42 committed in 12 ms",
        "guide 005010X222A1, version 004010",
        "token k1:idem:0123456789abcdef routed to quarantine",
        "ISA13 does not match IEA02; ST: count wrong",
        "ST02 control number mismatch in group 2",
        "C++ and *args are fine",
    ],
)
def test_ordinary_operational_text_is_kept(text: str) -> None:
    assert scrub(text) == text


def test_a_segment_is_scrubbed_to_its_terminator_spaces_included() -> None:
    assert scrub("N3*1 ZQXMAPLE ST~N4*ZQXTOWN*NY*12037~ done") == (
        "[redacted:x12][redacted:x12] done"
    )


@given(st.text())
def test_scrubbing_is_idempotent(text: str) -> None:
    once = scrub(text)
    assert scrub(once) == once
