"""Error injection on valid 835, 837I, 837D, 270 and 271 sets (see ``samples.py``)."""

from __future__ import annotations

import pytest

from edimesh.validation import Snip

from . import samples
from .helpers import index_of, problems, replace_element, validate


@pytest.mark.parametrize("name", ["REMIT_835", "INSTITUTIONAL_837", "DENTAL_837",
                                  "INQUIRY_270", "RESPONSE_271"])
def test_samples_are_valid(name: str) -> None:
    result = validate(getattr(samples, name))
    assert problems(result) == []
    assert result.route == "validated"
    assert result.ack_code == "A"


# (base, segment prefix, element, new value, nth) -> (rule, snip, element reference, ik403)
CASES = {
    "835 service balance": ((samples.REMIT_835, "SVC*HC:99213", 3, "31.00", 0),
                            ("snip3.service_payment", Snip.BALANCING, "SVC03", None)),
    "835 payment total": ((samples.REMIT_835, "BPR*", 2, "311.00", 0),
                          ("snip3.payment_total", Snip.BALANCING, "BPR02", None)),
    "835 denied claim pays": ((samples.REMIT_835, "CLP*", 2, "4", 0),
                              ("snip4.denied_paid", Snip.SITUATIONAL, "CLP04", None)),
    "835 carc format": ((samples.REMIT_835, "CAS*CO", 2, "4555", 0),
                        ("snip5.carc", Snip.CODE_SETS, "CAS02", "7")),
    "835 adjustment group": ((samples.REMIT_835, "CAS*CO", 1, "CR", 0),
                             ("snip2.code_value", Snip.IMPLEMENTATION, "CAS01", "7")),
    "837I statement period": ((samples.INSTITUTIONAL_837, "DTP*472", 3, "20240301", 1),
                              ("snip4.service_in_statement", Snip.SITUATIONAL, "DTP03", None)),
    "837I date range order": ((samples.INSTITUTIONAL_837, "DTP*434", 3,
                               "20240203-20240201", 0),
                              ("snip1.invalid_date", Snip.SYNTAX, "DTP03", "8")),
    "837I statement qualifier": ((samples.INSTITUTIONAL_837, "DTP*434", 2, "D8", 0),
                                 ("snip2.code_value", Snip.IMPLEMENTATION, "DTP02", "7")),
    "837I line balance": ((samples.INSTITUTIONAL_837, "SV2*0730", 3, "76.00", 0),
                          ("snip3.claim_charge", Snip.BALANCING, "CLM02", None)),
    "837D line balance": ((samples.DENTAL_837, "SV3*AD:D2391", 2, "99.00", 0),
                          ("snip3.claim_charge", Snip.BALANCING, "CLM02", None)),
    "837D cdt format": ((samples.DENTAL_837, "SV3*AD:D2391", 1, "AD:2391", 0),
                        ("snip5.procedure_code", Snip.CODE_SETS, "SV301-2", "7")),
    "837D rendering id": ((samples.DENTAL_837, "NM1*82", 8, "", 0),
                          ("snip4.rendering_id", Snip.SITUATIONAL, "NM109", None)),
    "270 bht purpose": ((samples.INQUIRY_270, "BHT*", 2, "11", 0),
                        ("snip2.code_value", Snip.IMPLEMENTATION, "BHT02", "7")),
    "271 eligibility code": ((samples.RESPONSE_271, "EB*1", 1, "ZZ", 0),
                             ("snip2.code_value", Snip.IMPLEMENTATION, "EB01", "7")),
    "271 too many repetitions": ((samples.RESPONSE_271, "EB*B", 3, "^".join(["1"] * 100), 0),
                                 ("snip1.too_many_repetitions", Snip.SYNTAX, "EB03", "12")),
    "271 hl04": ((samples.RESPONSE_271, "HL*3", 4, "1", 0),
                 ("snip2.hierarchy", Snip.IMPLEMENTATION, "HL04", "I12")),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_rule_broken(name: str) -> None:
    (base, prefix, element, value, nth), (rule, snip, ref, ik403) = CASES[name]
    if name == "837D rendering id":  # NM108 and NM109 go together (P0809): drop both
        segments, position = replace_element(base, prefix, 9, "", nth)
        segments, position = replace_element(segments, prefix, 8, "", nth)
    elif name == "837I statement qualifier":  # D8 with a single date: only the code is wrong
        segments, position = replace_element(base, prefix, 3, "20240201", nth)
        segments, position = replace_element(segments, prefix, element, value, nth)
    else:
        segments, position = replace_element(base, prefix, element, value, nth)
    found = problems(validate(segments))
    assert [(f.rule, f.snip, f.element_ref, f.ik403) for f in found] == [(rule, snip, ref, ik403)]
    reported_on = {"835 payment total": "BPR*", "837I line balance": "CLM*",
                   "837D line balance": "CLM*"}.get(name)
    expected_at = index_of(segments, reported_on) + 1 if reported_on else position
    assert found[0].segment_position == expected_at


def test_835_claim_adjustment_breaks_the_claim_balance() -> None:
    segments = list(samples.REMIT_835)
    at = index_of(segments, "CLP*") + 1
    segments.insert(at, "CAS*OA*23*10.00")
    found = problems(validate(segments))
    assert [(f.rule, f.element_ref, f.segment_position) for f in found] == [
        ("snip3.claim_payment", "CLP04", at)]


def test_270_without_inquiry() -> None:
    segments = [s for s in samples.INQUIRY_270 if not s.startswith("EQ*")]
    found = problems(validate(segments))
    assert [(f.rule, f.segment_id) for f in found] == [("snip4.inquiry", "NM1")]


def test_271_rejection_is_extracted() -> None:
    segments = [*samples.RESPONSE_271[:6], "AAA*Y**50*N", *samples.RESPONSE_271[6:]]
    result = validate(segments)
    assert problems(result) == []
    receiver = result.content.sources[0].receivers[0]  # type: ignore[union-attr]
    assert [(r.reason, r.follow_up) for r in receiver.rejections] == [("50", "N")]
