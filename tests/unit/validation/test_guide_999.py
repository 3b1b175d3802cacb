"""The 999 guide (005010X231A1): a sound 999 passes at SNIP 1-2, each kind of damage is found."""

from __future__ import annotations

from pathlib import Path

import pytest

from edimesh.validation import Snip, ValidationResult, validate_set, validate_unit
from edimesh.validation.models.ack import Acknowledgment
from edimesh.x12.delimiters import Delimiters
from edimesh.x12.events import TransactionSetUnit
from edimesh.x12.stream import X12Stream

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus" / "pyx12" / "head" / "pyx12"

SOUND = [
    "ST*999*0001*005010X231A1", "AK1*HC*17*005010X222A1",
    "AK2*837*0001*005010X222A1", "IK5*A",
    "AK2*837*0002*005010X222A1", "IK3*SV1*23*2400*8", "CTX*CLM01:PCN17",
    "IK4*3*355*7", "IK4*1:2*235*7*ZZ", "CTX*SITUATIONAL TRIGGER*CLM*20*2300*5:1",
    "IK3*NM1*9**8", "IK4*7::2**5", "IK5*R*5",
    "AK9*P*2*2*1", "SE*15*0001",
]  # fmt: skip
DELIMITERS = Delimiters(element=b"*", component=b":", repetition=b"^", segment=b"~")


def validate(segments: list[str]) -> ValidationResult:
    raw = ("~".join(segments) + "~").encode()
    st03 = segments[0].split("*")[3] if segments[0].count("*") >= 3 else ""
    result = validate_set(raw, DELIMITERS, st01="999", st03=st03, gs08="005010X231A1")
    slow = validate_set(raw, DELIMITERS, st01="999", st03=st03, gs08="005010X231A1",
                        fast=False)  # fmt: skip
    assert slow == result  # the set pattern and the diagnostic parser agree
    return result


def problems(segments: list[str]) -> list[tuple[str, str | None, str | None]]:
    result = validate(segments)
    assert result.guide == "005010X231A1"
    return [(x.rule, x.segment_id, x.element_ref) for x in result.findings
            if x.snip <= Snip.IMPLEMENTATION]  # fmt: skip


def changed(index: int, segment: str | None) -> list[str]:
    out = list(SOUND)
    if segment is None:
        del out[index]
    else:
        out[index] = segment
    return out


def test_a_sound_999_has_no_finding() -> None:
    assert problems(SOUND) == []


@pytest.mark.parametrize(("segments", "expected"), [
    (changed(1, "AK1*ZZ*17*005010X222A1"), ("snip2.code_value", "AK1", "AK101")),
    (changed(1, "AK1*HC*17"), ("snip1.required_element", "AK1", "AK103")),
    (changed(5, "IK3*SV1*23*2400*Q"), ("snip2.code_value", "IK3", "IK304")),
    (changed(5, "IK3*SV1*23*2400"), ("snip1.required_element", "IK3", "IK304")),
    (changed(5, "IK3*SV1*23*2400A1*8"), ("snip1.too_long", "IK3", "IK303")),
    (changed(7, "IK4*3*355*99"), ("snip2.code_value", "IK4", "IK403")),
    (changed(7, "IK4*X*355*7"), ("snip1.invalid_character", "IK4", "IK401-1")),
    (changed(12, "IK5*Q*5"), ("snip2.code_value", "IK5", "IK501")),
    (changed(12, "IK5*R*99"), ("snip2.code_value", "IK5", "IK502")),
    (changed(13, "AK9*Z*2*2*1"), ("snip2.code_value", "AK9", "AK901")),
    (changed(13, "AK9*P*2*2*1*99"), ("snip2.code_value", "AK9", "AK905")),
    (changed(13, "AK9*P*2*2"), ("snip1.required_element", "AK9", "AK904")),
    (changed(2, "AK2*837*01*005010X222A1"), ("snip1.too_short", "AK2", "AK202")),
    (changed(6, "CTX*CLM01"), ("snip1.required_element", "CTX", "CTX01-2")),
    (changed(0, "ST*999*0001*005010X231A9"), ("snip2.code_value", "ST", "ST03")),
])  # fmt: skip
def test_damage_is_found(segments: list[str], expected: tuple[str, str, str]) -> None:
    assert expected in problems(segments)


def test_structure_usage_and_repeats() -> None:
    no_ik5 = changed(3, None)
    assert ("snip2.required_segment", "IK5", None) in [
        (r, s, None) for r, s, _ in problems(no_ik5)]  # fmt: skip
    no_ak9 = changed(13, None)
    assert any(r == "snip2.required_segment" for r, _, _ in problems(no_ak9))
    two_units = [*SOUND[:7], "CTX*CLM01:OTHER", *SOUND[7:]]
    assert any(r == "snip2.segment_repeat" for r, _, _ in problems(two_units))
    ik4_outside = [*SOUND[:3], "IK4*1**7", *SOUND[3:]]
    assert problems(ik4_outside) != []


def test_the_content_holds_codes_and_counts_only() -> None:
    result = validate(SOUND)
    assert (result.route, result.kind, result.content_model) == (
        "validated", "999", "Acknowledgment999/1")  # fmt: skip
    ack = result.content
    assert isinstance(ack, Acknowledgment)
    assert (ack.functional_id, ack.group_control_number, ack.version) == (
        "HC", "17", "005010X222A1")  # fmt: skip
    assert (ack.status, ack.included, ack.received, ack.accepted, ack.error_codes) == (
        "P", 2, 2, 1, ())  # fmt: skip
    assert [(s.control_number, s.status, s.error_codes, s.segment_errors)
            for s in ack.sets] == [("0001", "A", (), 0), ("0002", "R", ("5",), 2)]  # fmt: skip
    json = result.content_json()
    assert json is not None
    assert b"PCN17" not in json  # the CTX business unit stays out
    assert b"ZZ" not in json  # and so does the IK404 copy
    assert Acknowledgment.model_validate(ack.model_dump()) == ack  # trusted == validated


def test_a_bad_count_gives_none_not_an_exception() -> None:
    result = validate(changed(13, "AK9*P*X*2*1"))
    assert result.route == "schema"
    assert isinstance(result.content, Acknowledgment)
    assert result.content.included is None


@pytest.mark.parametrize("name", ["834_lui_id_5010.999.txt", "834_ls_le_ls_5010.999.txt"])
def test_partner_999s_in_the_corpus_validate(name: str) -> None:
    stream = X12Stream()
    events = stream.feed((CORPUS / "tests" / name).read_bytes()) + stream.finish()
    units = [e for e in events if isinstance(e, TransactionSetUnit)]
    assert units
    for unit in units:
        result = validate_unit(unit)
        assert result.guide == "005010X231A1"  # ST03 005010X231: the base guide routes here
        assert [x.rule for x in result.findings if x.is_error] == []
        assert isinstance(result.content, Acknowledgment)
        assert result.content.functional_id == "BE"
