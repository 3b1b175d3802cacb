"""837 Health Care Claim: Institutional, 005010X223A2 (errata X223A3 accepted as the same)."""

from __future__ import annotations

from edimesh.validation.guides import codes as c
from edimesh.validation.guides.claim_common import (
    billing_provider,
    drug_identification,
    header,
    line_adjudication,
    other_payer_provider,
    other_subscriber,
    patient,
    subscriber,
)
from edimesh.validation.guides.parts import amt, dtp, n3, n4, provider_name, prv, ref
from edimesh.validation.spec.format import Guide, LoopSpec, SegmentUse, loop, seg

IDS = "005010X223A1,005010X223A2,005010X223A3"


def _provider_loop(loop_id: str, name: str, quals: str, entity: str,
                   *extra: SegmentUse) -> LoopSpec:
    return loop(loop_id, name, "S", 1, provider_name(quals, "R", 1, entity), *extra,
                ref("0B,1G,G2,LU", "S", 4))


def _codes(qualifiers: str, count: int, *, dated: str | None = None, amount: bool = False,
           poa: bool = False) -> str:
    """An HI line: `count` composites of one qualifier family (the first one required)."""
    if dated:
        body = f"R:{qualifiers}/R/R:{dated}/R=D"
    elif amount:
        body = f"R:{qualifiers}/R/N/N/R"
    elif poa:
        body = f"R:{qualifiers}/R/N/N/N/N/N/N/S:N,U,W,Y,1"
    else:
        body = f"R:{qualifiers}/R"
    return " ".join(("R" if i == 0 else "S") + "{" + body + "}" for i in range(count))


def _service_line() -> LoopSpec:
    sv2 = f"R S{{R:{c.INSTITUTIONAL_PROCEDURE_QUALIFIER}/R/S/S/S/S/S/N}} R R:DA,UN R S S"
    return loop(
        "2400", "Service Line Number", "R", 999,
        seg("LX", "R", 1, "", "R"),
        seg("SV2", "R", 1, "", sv2),
        seg("PWK", "S", 10, c.REPORT_TYPE, f"R:{c.REPORT_TYPE} R:{c.PWK_TRANSMISSION} N N S:AC S"),
        dtp("472", "S", "D8,RD8"),
        ref("6R"),
        ref("9B,9D"),
        amt("GT"),
        amt("N8"),
        seg("NTE", "S", 1, "TPO", "R:TPO R"),
        seg("HCP", "S", 1, "", f"R:{c.PRICING} R S S S S N S S S S S S S S"),
        drug_identification(),
        _provider_loop("2420A", "Operating Physician Name", "72", "1"),
        _provider_loop("2420B", "Other Operating Physician Name", "ZZ", "1"),
        _provider_loop("2420C", "Rendering Provider Name", "82", "1,2"),
        _provider_loop("2420D", "Referring Provider Name", "DN", "1"),
        line_adjudication(c.INSTITUTIONAL_PROCEDURE_QUALIFIER),
    )


def _claim() -> LoopSpec:
    clm = f"R R N N R{{R/R:A/R}} S:N,Y R:A,B,C R:N,W,Y R:I,Y N N N N N N N N N N S:{c.DELAY_REASON}"
    return loop(
        "2300", "Claim Information", "S", 100,
        seg("CLM", "R", 1, "", clm),
        dtp("096", "S", "TM"),
        dtp("434", "R", "RD8"),
        dtp("435", "S", "D8,DT"),
        dtp("050"),
        seg("CL1", "S", 1, "", "S S R N"),
        seg("PWK", "S", 10, c.REPORT_TYPE, f"R:{c.REPORT_TYPE} R:{c.PWK_TRANSMISSION} N N S:AC S"),
        seg("CN1", "S", 1, "", "R:01,02,03,04,05,06,09 S S S S S"),
        amt("F3"),
        ref("4N"),
        ref("9F"),
        ref("G1"),
        ref("F8"),
        ref("9A"),
        ref("9C"),
        ref("D9"),
        ref("DD"),
        ref("P4"),
        ref("EA"),
        seg("K3", "S", 10, "", "R"),
        seg("NTE", "S", 10, "ALG,DCP,DGN,DME,MED,NTR,ODT,RHB,RLH,RNH,SET,SFM,SPT",
            "R:ALG,DCP,DGN,DME,MED,NTR,ODT,RHB,RLH,RNH,SET,SFM,SPT R"),
        seg("NTE", "S", 1, "UPI", "R:UPI R"),
        seg("CRC", "S", 1, "ZZ", "R:ZZ R:N,Y R:AV,NU,S2,ST S S"),
        seg("HI", "R", 1, "ABK,BK", _codes("ABK,BK", 1, poa=True)),
        seg("HI", "S", 1, "ABJ,BJ", _codes("ABJ,BJ", 1)),
        seg("HI", "S", 1, "APR,PR", _codes("APR,PR", 3)),
        seg("HI", "S", 1, "ABN,BN", _codes("ABN,BN", 12, poa=True)),
        seg("HI", "S", 1, "DR", _codes("DR", 1)),
        seg("HI", "S", 2, "ABF,BF", _codes("ABF,BF", 12, poa=True)),
        seg("HI", "S", 1, "BBR,BR,CAH", _codes("BBR,BR,CAH", 1, dated="D8")),
        seg("HI", "S", 2, "BBQ,BQ", _codes("BBQ,BQ", 12, dated="D8")),
        seg("HI", "S", 2, "BI", _codes("BI", 12, dated="RD8")),
        seg("HI", "S", 2, "BH", _codes("BH", 12, dated="D8")),
        seg("HI", "S", 2, "BE", _codes("BE", 12, amount=True)),
        seg("HI", "S", 2, "BG", _codes("BG", 12)),
        seg("HI", "S", 1, "TC", _codes("TC", 12)),
        seg("HCP", "S", 1, "", f"R:{c.PRICING} R S S S S S N N N N N S S S"),
        _provider_loop("2310A", "Attending Provider Name", "71", "1", prv("AT")),
        _provider_loop("2310B", "Operating Physician Name", "72", "1"),
        _provider_loop("2310C", "Other Operating Physician Name", "ZZ", "1"),
        _provider_loop("2310D", "Rendering Provider Name", "82", "1"),
        loop(
            "2310E", "Service Facility Location Name", "S", 1,
            provider_name("77", "R", 1, "2"), n3(), n4(), ref("0B,G2,LU", "S", 3),
        ),
        _provider_loop("2310F", "Referring Provider Name", "DN", "1"),
        other_subscriber(
            oi="N N R:N,W,Y N N R:I,Y",
            extra=(
                seg("MIA", "S", 1, "", "R S S S S:@RARC S S S S S S S S S S S S S S "
                    "S:@RARC S:@RARC S:@RARC S:@RARC S"),
                seg("MOA", "S", 1, "", "S S S:@RARC S:@RARC S:@RARC S:@RARC S:@RARC S S"),
            ),
            provider_loops=(
                other_payer_provider("2330C", "Other Payer Attending Provider", "71", "1"),
                other_payer_provider("2330D", "Other Payer Operating Physician", "72", "1"),
                other_payer_provider("2330E", "Other Payer Other Operating Physician", "ZZ", "1"),
                other_payer_provider("2330F", "Other Payer Service Facility Location", "77", "2"),
                other_payer_provider("2330G", "Other Payer Rendering Provider", "82", "1"),
                other_payer_provider("2330H", "Other Payer Referring Provider", "DN", "1"),
                other_payer_provider("2330I", "Other Payer Billing Provider", "85", "2"),
            ),
        ),
        _service_line(),
    )


def build() -> Guide:
    claim = _claim()
    root = loop(
        "ST", "Transaction Set", "R", 1,
        *header(IDS),
        billing_provider(
            entity="2",
            secondary_refs=(),
            children=(
                subscriber(
                    sbr05="N",
                    patient_info=None,
                    claim=claim,
                    patient=patient(pat=f"R:{c.PATIENT_RELATIONSHIP}", claim=claim),
                ),
            ),
        ),
        seg("SE", "R", 1, "", "R R"),
    )
    return Guide("005010X223A2", "837", "HC", "837I", "837 Institutional Claim", root,
                 ("005010X223A3",))
