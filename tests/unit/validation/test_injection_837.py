"""Error injection on a valid synthetic 837P: each rule broken alone gives exactly its finding.

Every case takes the same valid set, breaks one thing, and asserts the one finding (rule,
SNIP level, 999 codes, segment position, element) that must come out, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from edimesh.validation import Snip
from edimesh.x12.synth import SynthError, SynthOptions, generate_837p

from .helpers import (
    index_of,
    problems,
    replace_element,
    synth_segments,
    units_of,
    validate,
)

BASE = synth_segments(seed=3)  # one claim, one line, the subscriber is the patient


def _seed_with_patient() -> list[str]:
    for seed in range(100):
        segs = synth_segments(seed=seed)
        if any(s.startswith("PAT*") for s in segs):
            return segs
    raise AssertionError("no synthetic claim with a patient loop")


WITH_PATIENT = _seed_with_patient()


@dataclass(frozen=True)
class Case:
    rule: str
    snip: Snip
    ik304: str | None
    ik403: str | None
    element: str | None
    change: Callable[[], tuple[list[str], int]]


def edit(prefix: str, element: int, value: str, nth: int = 0,
         base: list[str] = BASE) -> Callable[[], tuple[list[str], int]]:
    return lambda: replace_element(base, prefix, element, value, nth)


def insert_after(prefix: str, segment: str, base: list[str] = BASE
                 ) -> Callable[[], tuple[list[str], int]]:
    def change() -> tuple[list[str], int]:
        segs = list(base)
        i = index_of(segs, prefix) + 1
        segs.insert(i, segment)
        return segs, i + 1
    return change


def remove(prefix: str, base: list[str] = BASE, at_next: bool = True
           ) -> Callable[[], tuple[list[str], int]]:
    def change() -> tuple[list[str], int]:
        segs = list(base)
        i = index_of(segs, prefix)
        del segs[i]
        return segs, i + 1  # reported where the parse noticed: the segment that followed
    return change


CASES = {
    # SNIP 1
    "required element": Case("snip1.required_element", Snip.SYNTAX, "8", "1", "CLM02",
                             edit("CLM*", 2, "")),
    "too long": Case("snip1.too_long", Snip.SYNTAX, "8", "5", "CLM01",
                     edit("CLM*", 1, "X" * 39)),
    "too short": Case("snip1.too_short", Snip.SYNTAX, "8", "4", "BHT03",
                      edit("BHT*", 3, "")),  # placeholder, replaced below
    "invalid character": Case("snip1.invalid_character", Snip.SYNTAX, "8", "6", "SV102",
                              edit("SV1*", 2, "12A.00")),
    "invalid date": Case("snip1.invalid_date", Snip.SYNTAX, "8", "8", "BHT04",
                         edit("BHT*", 4, "20230229")),
    "invalid date expression": Case("snip1.invalid_date", Snip.SYNTAX, "8", "8", "DTP03",
                                    edit("DTP*472", 3, "20241301")),
    "invalid time": Case("snip1.invalid_time", Snip.SYNTAX, "8", "9", "BHT05",
                         edit("BHT*", 5, "2460")),
    "too many elements": Case("snip1.too_many_elements", Snip.SYNTAX, "8", "3", "LX02",
                              edit("LX*", 2, "9")),
    "too many components": Case("snip1.too_many_components", Snip.SYNTAX, "8", "13", "SV107",
                                edit("SV1*", 7, "1:1:1:1:1")),
    "syntax note": Case("snip1.syntax_note", Snip.SYNTAX, "8", "2", "NM109",
                        edit("NM1*IL", 9, "")),
    "unrecognized segment": Case("snip1.unrecognized_segment", Snip.SYNTAX, "1", None, None,
                                 insert_after("CLM*", "ZZZ*1")),
    # SNIP 2
    "code value": Case("snip2.code_value", Snip.IMPLEMENTATION, "8", "7", "SBR01",
                       edit("SBR*", 1, "Q")),
    "not used element": Case("snip2.not_used_element", Snip.IMPLEMENTATION, "8", "I10", "CLM03",
                             edit("CLM*", 3, "X")),
    "required segment": Case("snip2.required_segment", Snip.IMPLEMENTATION, "3", None, None,
                             remove("HI*")),
    "unexpected segment": Case("snip2.unexpected_segment", Snip.IMPLEMENTATION, "2", None, None,
                               insert_after("CLM*", "BPR*I*1*C*CHK")),
    "out of sequence": Case("snip2.segment_sequence", Snip.IMPLEMENTATION, "7", None, None,
                            insert_after("CLM*", "BHT*0019*00*1*20240101*1200*CH")),
    "segment repeat": Case("snip2.segment_repeat", Snip.IMPLEMENTATION, "5", None, None,
                           insert_after("HI*", "HI*ABK:J069")),
    "situational element": Case("snip2.situational_element", Snip.IMPLEMENTATION, "8", "2",
                                "N402", edit("N4*", 2, "", nth=1)),
    "hierarchy": Case("snip2.hierarchy", Snip.IMPLEMENTATION, "8", "I12", "HL01",
                      edit("HL*2", 1, "7")),
    # SNIP 3
    "claim balance": Case("snip3.claim_charge", Snip.BALANCING, None, None, "CLM02",
                          edit("CLM*", 2, "1.00")),
    # SNIP 4
    "patient level": Case("snip4.patient_level", Snip.SITUATIONAL, None, None, "SBR02",
                          edit("SBR*", 2, "18", base=WITH_PATIENT)),
    "accident date": Case("snip4.accident_date", Snip.SITUATIONAL, None, None, "CLM11",
                          edit("CLM*", 11, "OA")),
    "billing zip": Case("snip4.billing_zip", Snip.SITUATIONAL, None, None, "N403",
                        edit("N4*", 3, "53703")),
    "billing po box": Case("snip4.billing_po_box", Snip.SITUATIONAL, None, None, "N301",
                           edit("N3*", 1, "PO BOX 12")),
    "diagnosis pointer": Case("snip4.diagnosis_pointer", Snip.SITUATIONAL, None, None, "SV107-1",
                              edit("SV1*", 7, "9")),
    "payer claim number": Case("snip4.payer_claim_number", Snip.SITUATIONAL, None, None,
                               "CLM05-3", edit("CLM*", 5, "11:B:7")),
    # SNIP 5
    "npi": Case("snip5.npi", Snip.CODE_SETS, "8", "I12", "NM109",
                edit("NM1*85", 9, "1234567890")),
    "icd10": Case("snip5.icd10cm", Snip.CODE_SETS, "8", "7", "HI01-2",
                  edit("HI*", 1, "ABK:E11")),
    "procedure code": Case("snip5.procedure_code", Snip.CODE_SETS, "8", "7", "SV101-2",
                           edit("SV1*", 1, "HC:9921")),
    "place of service": Case("snip5.pos", Snip.CODE_SETS, "8", "7", "CLM05-1",
                             edit("CLM*", 5, "98:B:1")),
    "state": Case("snip5.state", Snip.CODE_SETS, "8", "7", "N402",
                  edit("N4*", 2, "XX", nth=1)),
    "zip": Case("snip5.zip", Snip.CODE_SETS, "8", "7", "N403", edit("N4*", 3, "1234", nth=1)),
}
CASES["too short"] = Case("snip1.too_short", Snip.SYNTAX, "8", "4", "BHT01",
                          edit("BHT*", 1, "001"))


def test_the_base_set_is_valid() -> None:
    assert problems(validate(BASE)) == []
    assert problems(validate(WITH_PATIENT)) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_rule_broken(name: str) -> None:
    case = CASES[name]
    segments, position = case.change()
    found = problems(validate(segments))
    assert len(found) == 1, [(f.rule, f.element_ref, f.segment_position) for f in found]
    (finding,) = found
    assert finding.rule == case.rule
    assert finding.snip == case.snip
    assert finding.ik304 == case.ik304
    assert finding.ik403 == case.ik403
    assert finding.element_ref == case.element
    if case.rule == "snip4.patient_level":
        position = index_of(segments, "SBR*") + 1
    assert finding.segment_position == position
    assert finding.byte_offset is not None


def test_synth_invalid_npi_is_the_snip5_npi_finding() -> None:
    data = generate_837p(SynthOptions(claims=2, claims_per_set=1,
                                      errors=frozenset({SynthError.INVALID_NPI})))
    from edimesh.validation import validate_unit

    first, second = (validate_unit(u) for u in units_of(data))
    (finding,) = problems(first)
    assert (finding.rule, finding.element_ref, finding.loop_id) == ("snip5.npi", "NM109", "2010AA")
    assert finding.ik403 == "I12"
    assert problems(second) == []


def test_synth_unbalanced_claim_is_the_snip3_finding() -> None:
    data = generate_837p(SynthOptions(claims=3, claims_per_set=3,
                                      errors=frozenset({SynthError.UNBALANCED_CLAIM})))
    from edimesh.validation import validate_unit

    (result,) = (validate_unit(u) for u in units_of(data))
    (finding,) = problems(result)
    assert finding.rule == "snip3.claim_charge"
    assert finding.element_ref == "CLM02"
    assert result.route == "business"
    assert result.ack_code == "A"


def test_npi_with_a_non_ascii_digit_is_a_finding_not_a_crash() -> None:
    """'²' is a digit to str.isdigit(); the check digit arithmetic must never see it."""
    segments = synth_segments()
    i = index_of(segments, "NM1*85*")
    els = segments[i].split("*")
    els[9] = els[9][:4] + "\u00b2" + els[9][5:]
    segments[i] = "*".join(els)
    rules = {x.rule for x in problems(validate(segments))}
    assert "snip5.npi" in rules
