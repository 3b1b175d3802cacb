"""837 Health Care Claim: Dental, 005010X224A2 (errata X224A3 accepted as the same)."""

from __future__ import annotations

from edimesh.validation.guides import codes as c
from edimesh.validation.guides.claim_common import (
    billing_provider,
    header,
    line_adjudication,
    other_payer_provider,
    other_subscriber,
    patient,
    subscriber,
)
from edimesh.validation.guides.parts import amt, dtp, n3, n4, provider_name, prv, ref
from edimesh.validation.spec.format import Guide, LoopSpec, SegmentUse, loop, seg

IDS = "005010X224A1,005010X224A2,005010X224A3"


def _provider_loop(loop_id: str, name: str, quals: str, max_use: int, entity: str,
                   *extra: SegmentUse) -> LoopSpec:
    return loop(loop_id, name, "S", max_use, provider_name(quals, "R", 1, entity), *extra,
                ref("0B,1G,G2,LU", "S", 4))


def _service_line() -> LoopSpec:
    sv3 = "R{R:AD/R/S/S/S/S/S/N} R S:@POS S{R/S/S/S/S} S:I,R R N N N N S{R/S/S/S}"
    return loop(
        "2400", "Service Line Number", "R", 50,
        seg("LX", "R", 1, "", "R"),
        seg("SV3", "R", 1, "", sv3),
        seg("TOO", "S", 32, "JP", "R:JP R S{R:B,D,F,I,L,M,O/S/S/S/S}"),
        dtp("472", "S"),
        dtp("441"),
        dtp("452"),
        dtp("446"),
        dtp("196"),
        dtp("198"),
        seg("CN1", "S", 1, "", "R:01,02,03,04,05,06,09 S S S S S"),
        ref("G3"),
        ref("9B,9D"),
        ref("6R"),
        ref("G1", "S", 5),
        ref("9F", "S", 5),
        amt("T"),
        seg("NTE", "S", 1, "TPO", "R:TPO R"),
        seg("HCP", "S", 1, "", f"R:{c.PRICING} R S S S S N N N N N N S S S"),
        _provider_loop("2420A", "Rendering Provider Name", "82", 1, "1,2", prv("PE")),
        _provider_loop("2420B", "Assistant Surgeon Name", "DD", 1, "1,2"),
        _provider_loop("2420C", "Supervising Provider Name", "DQ", 1, "1"),
        loop(
            "2420D", "Service Facility Location Name", "S", 1,
            provider_name("77", "R", 1, "2"), n3(), n4(), ref("G2,LU", "S", 3),
        ),
        line_adjudication("AD"),
    )


def _claim() -> LoopSpec:
    clm = (
        "R R N N R{R:@POS/R:B/R:1,7,8} R:N,Y R:A,B,C R:N,W,Y R:I,Y S:P "
        "S{R:AA,EM,OA/S:AA,EM,OA/N/S:@STATE/S:@COUNTRY} S:02,03,05,09 N N N N N N S:PB "
        f"S:{c.DELAY_REASON}"
    )
    dx = "R{R:ABK,BK/R} S{R:ABF,BF/R} S{R:ABF,BF/R} S{R:ABF,BF/R}"
    return loop(
        "2300", "Claim Information", "S", 100,
        seg("CLM", "R", 1, "", clm),
        dtp("439"),
        dtp("452"),
        dtp("472"),
        dtp("050"),
        seg("DN1", "S", 1, "", "S S S:Y S"),
        seg("DN2", "S", 35, "", "R R:E,I,M N N N S:JP"),
        seg("PWK", "S", 10, c.REPORT_TYPE, f"R:{c.REPORT_TYPE} R:{c.PWK_TRANSMISSION} N N S:AC S"),
        seg("CN1", "S", 1, "", "R:01,02,03,04,05,06,09 S S S S S"),
        amt("F5"),
        ref("G3"),
        ref("4N"),
        ref("9F"),
        ref("G1"),
        ref("F8"),
        ref("9A"),
        ref("9C"),
        ref("D9"),
        seg("K3", "S", 10, "", "R"),
        seg("NTE", "S", 1, "ADD,CER", "R:ADD,CER R"),
        seg("HI", "S", 1, "ABK,BK", dx),
        seg("HCP", "S", 1, "", f"R:{c.PRICING} R S S S S N N N N N N S S S"),
        _provider_loop("2310A", "Referring Provider Name", "DN,P3", 2, "1"),
        _provider_loop("2310B", "Rendering Provider Name", "82", 1, "1,2", prv("PE", "R")),
        loop(
            "2310C", "Service Facility Location Name", "S", 1,
            provider_name("77", "R", 1, "2"), n3(), n4(), ref("G2,LU", "S", 3),
        ),
        _provider_loop("2310D", "Assistant Surgeon Name", "DD", 1, "1,2"),
        other_subscriber(
            oi="N N R:N,W,Y S:P N R:I,Y",
            extra=(),
            provider_loops=(
                other_payer_provider("2330C", "Other Payer Referring Provider", "DN,P3", "1"),
                other_payer_provider("2330D", "Other Payer Rendering Provider", "82", "1,2"),
                other_payer_provider("2330E", "Other Payer Supervising Provider", "DQ", "1"),
                other_payer_provider("2330F", "Other Payer Billing Provider", "85", "1,2"),
                other_payer_provider("2330G", "Other Payer Service Facility Location", "77", "2"),
                other_payer_provider("2330H", "Other Payer Assistant Surgeon", "DD", "1,2"),
            ),
        ),
        _service_line(),
    )


def build() -> Guide:
    claim = _claim()
    pat = f"R:{c.PATIENT_RELATIONSHIP} N N S:F,N,P"
    root = loop(
        "ST", "Transaction Set", "R", 1,
        *header(IDS),
        billing_provider(
            entity="1,2",
            secondary_refs=(ref("0B,1G", "S", 2),),
            children=(
                subscriber(sbr05="N", patient_info=None, claim=claim,
                           patient=patient(pat=pat, claim=claim)),
            ),
        ),
        seg("SE", "R", 1, "", "R R"),
    )
    return Guide("005010X224A2", "837", "HC", "837D", "837 Dental Claim", root,
                 ("005010X224A3",))
