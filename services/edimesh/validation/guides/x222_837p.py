"""837 Health Care Claim: Professional, 005010X222A1 (errata X222A2 accepted as the same).

Covered: every loop of the guide; in each, the segments real files send (see
docs/validation.md for the list of what is left out). Element usages and code lists follow
the guide; external code sets are marked ``@NAME`` and checked at SNIP 5.
"""

from __future__ import annotations

from edimesh.validation.guides import codes as c
from edimesh.validation.guides.claim_common import (
    adjustments,
    ambulance_locations,
    billing_provider,
    drug_identification,
    header,
    line_adjudication,
    other_payer_provider,
    other_subscriber,
    patient,
    subscriber,
)
from edimesh.validation.guides.parts import (
    amt,
    dtp,
    n3,
    n4,
    per,
    provider_name,
    prv,
    ref,
)
from edimesh.validation.spec.format import Guide, LoopSpec, SegmentUse, loop, seg

IDS = "005010X222A1,005010X222A2"


def _provider_loop(loop_id: str, name: str, quals: str, max_use: int, entity: str,
                   *extra: SegmentUse) -> LoopSpec:
    return loop(loop_id, name, "S", max_use, provider_name(quals, "R", 1, entity), *extra,
                ref("0B,1G,G2,LU", "S", 4))


def _service_line() -> LoopSpec:
    sv1 = (
        f"R{{R:{c.PROCEDURE_QUALIFIER}/R/S/S/S/S/S/N}} R R:MJ,UN R S:@POS N R{{R/S/S/S}} N "
        "S:Y N S:Y S:Y N N S:0"
    )
    return loop(
        "2400", "Service Line Number", "R", 50,
        seg("LX", "R", 1, "", "R"),
        seg("SV1", "R", 1, "", sv1),
        seg("SV5", "S", 1, "", "R{R:HC/R} R:DA R R S S:1,4,5,6"),
        seg("PWK", "S", 10, c.REPORT_TYPE, f"R:{c.REPORT_TYPE} R:{c.PWK_TRANSMISSION} N N S:AC S"),
        seg("PWK", "S", 1, "CT", "R:CT R:AB,AD,AF,AG,NS", name="PWK*CMN"),
        seg("CR1", "S", 1, "", "S:LB S N R:A,B,C,D,E R:DH R N N S S"),
        seg("CR3", "S", 1, "", "R:I,R,S R:MO R N S"),
        seg("CRC", "S", 3, "07", f"R:07 R:N,Y R:{c.AMBULANCE_CONDITION} S S S S"),
        seg("CRC", "S", 1, "70", "R:70 R:N,Y R:65"),
        seg("CRC", "S", 2, "09", "R:09 R:N,Y R:38,ZV S"),
        dtp("472", "R", "D8,RD8"),
        dtp("471"),
        dtp("607"),
        dtp("463"),
        dtp("461"),
        dtp("304"),
        dtp("738,739", max_use=2),
        dtp("011"),
        dtp("455"),
        dtp("454"),
        seg("QTY", "S", 1, "PT", "R:PT R"),
        seg("QTY", "S", 1, "FL", "R:FL R"),
        seg("MEA", "S", 5, "OG,TR", "R:OG,TR R:CON,GRA,HT,R1,R2,R3,R4,ZO R"),
        seg("CN1", "S", 1, "", "R:01,02,03,04,05,06,09 S S S S S"),
        ref("9B,9D"),
        ref("6R"),
        ref("EW"),
        ref("X4"),
        ref("F4"),
        ref("BT"),
        ref("9F", "S", 5),
        ref("G1", "S", 5),
        amt("T"),
        amt("F4"),
        seg("K3", "S", 10, "", "R"),
        seg("NTE", "S", 1, "ADD,DCP", "R:ADD,DCP R"),
        seg("NTE", "S", 1, "TPO", "R:TPO R"),
        seg("PS1", "S", 1, "", "R R"),
        seg("HCP", "S", 1, "", f"R:{c.PRICING} R S S S S N N N N N N S S S"),
        drug_identification(),
        _provider_loop("2420A", "Rendering Provider Name", "82", 1, "1,2", prv("PE")),
        _provider_loop("2420B", "Purchased Service Provider Name", "QB", 1, "1,2"),
        loop(
            "2420C", "Service Facility Location Name", "S", 1,
            provider_name("77", "R", 1, "2"), n3(), n4(), ref("0B,G2,LU", "S", 3),
        ),
        _provider_loop("2420D", "Supervising Provider Name", "DQ", 1, "1"),
        loop(
            "2420E", "Ordering Provider Name", "S", 1,
            provider_name("DK", "R", 1, "1"), n3("S"), n4("S"), ref("0B,1G,G2", "S", 20),
            per("S", 1),
        ),
        _provider_loop("2420F", "Referring Provider Name", "DN,P3", 2, "1"),
        *ambulance_locations("2420"),
        line_adjudication(c.PROCEDURE_QUALIFIER),
        loop(
            "2440", "Form Identification Code", "S", ">1",
            seg("LQ", "R", 1, "AS,UT", "R:AS,UT R"),
            seg("FRM", "R", 99, "", "R S:N,W,Y S S=D S"),
        ),
    )


def _claim() -> LoopSpec:
    clm = (
        "R R N N R{R:@POS/R:B/R:1,7,8} R:N,Y R:A,B,C R:N,W,Y R:I,Y S:P "
        "S{R:AA,EM,OA/S:AA,EM,OA/N/S:@STATE/S:@COUNTRY} S:02,03,05,09 N N N N N N N "
        f"S:{c.DELAY_REASON}"
    )
    dx = "R{R:ABK,BK/R} " + " ".join(["S{R:ABF,BF/R}"] * 11)
    return loop(
        "2300", "Claim Information", "S", 100,
        seg("CLM", "R", 1, "", clm),
        dtp("431"),
        dtp("454"),
        dtp("304"),
        dtp("453"),
        dtp("439"),
        dtp("484"),
        dtp("455"),
        dtp("471"),
        dtp("314,360,361", formats="D8,RD8"),
        dtp("297"),
        dtp("296"),
        dtp("435"),
        dtp("096"),
        dtp("090"),
        dtp("091"),
        dtp("444"),
        dtp("050"),
        seg("PWK", "S", 10, c.REPORT_TYPE, f"R:{c.REPORT_TYPE} R:{c.PWK_TRANSMISSION} N N S:AC S"),
        seg("CN1", "S", 1, "", "R:01,02,03,04,05,06,09 S S S S S"),
        amt("F5"),
        ref("4N"),
        ref("F5"),
        ref("EW"),
        ref("9F"),
        ref("G1"),
        ref("F8"),
        ref("X4"),
        ref("9A"),
        ref("9C"),
        ref("LX"),
        ref("D9"),
        ref("EA"),
        ref("P4"),
        ref("1J"),
        seg("K3", "S", 10, "", "R"),
        seg("NTE", "S", 1, "ADD,CER,DCP,DGN,TPO", "R:ADD,CER,DCP,DGN,TPO R"),
        seg("CR1", "S", 1, "", "S:LB S N R:A,B,C,D,E R:DH R N N S S"),
        seg("CR2", "S", 1, "", "N N N N N N N R:A,C,D,E,F,G,M N S S"),
        seg("CRC", "S", 3, "07", f"R:07 R:N,Y R:{c.AMBULANCE_CONDITION} S S S S"),
        seg("CRC", "S", 3, "E1,E2,E3", "R:E1,E2,E3 R:N,Y R:AL,L1,L2,L3,L4,L5 S S S S"),
        seg("CRC", "S", 1, "75", "R:75 R:Y R:IH S S"),
        seg("CRC", "S", 1, "ZZ", "R:ZZ R:N,Y R:AV,NU,S2,ST S S"),
        seg("HI", "R", 1, "ABK,BK", dx),
        seg("HI", "S", 1, "BP,BO", "R{R:BP,BO/R} S{R:BQ,BO/R}"),
        seg("HI", "S", 2, "BG", " ".join(["S{R:BG/R}"] * 12).replace("S{", "R{", 1)),
        seg("HCP", "S", 1, "", f"R:{c.PRICING} R S S S S N N N N N N S S S"),
        _provider_loop("2310A", "Referring Provider Name", "DN,P3", 2, "1"),
        _provider_loop("2310B", "Rendering Provider Name", "82", 1, "1,2", prv("PE")),
        loop(
            "2310C", "Service Facility Location Name", "S", 1,
            provider_name("77", "R", 1, "2"), n3(), n4(), ref("0B,G2,LU", "S", 3),
            per("S", 1),
        ),
        _provider_loop("2310D", "Supervising Provider Name", "DQ", 1, "1"),
        *ambulance_locations("2310"),
        other_subscriber(
            oi="N N R:N,W,Y S:P N R:I,Y",
            extra=(seg("MOA", "S", 1, "", "S S S:@RARC S:@RARC S:@RARC S:@RARC S:@RARC S S"),),
            provider_loops=(
                other_payer_provider("2330C", "Other Payer Referring Provider", "DN,P3", "1"),
                other_payer_provider("2330D", "Other Payer Rendering Provider", "82", "1,2"),
                other_payer_provider("2330E", "Other Payer Service Facility Location", "77", "2"),
                other_payer_provider("2330F", "Other Payer Supervising Provider", "DQ", "1"),
                other_payer_provider("2330G", "Other Payer Billing Provider", "85", "1,2"),
            ),
        ),
        _service_line(),
    )


def build() -> Guide:
    claim = _claim()
    pat = f"R:{c.PATIENT_RELATIONSHIP} N N N S:D8 S=D S:01 S S:Y"
    root = loop(
        "ST", "Transaction Set", "R", 1,
        *header(IDS),
        billing_provider(
            entity="1,2",
            secondary_refs=(ref("0B,1G", "S", 2),),
            children=(
                subscriber(
                    sbr05=f"S:{c.MSP_TYPE}",
                    patient_info=seg("PAT", "S", 1, "", "N N N N S:D8 S=D S:01 S S:Y",
                                     rules=("05 -> 06", "07 -> 08")),
                    claim=claim,
                    patient=patient(pat=pat, claim=claim),
                ),
            ),
        ),
        seg("SE", "R", 1, "", "R R"),
    )
    return Guide("005010X222A1", "837", "HC", "837P", "837 Professional Claim", root,
                 ("005010X222A2",))


__all__ = ["IDS", "adjustments", "build"]
