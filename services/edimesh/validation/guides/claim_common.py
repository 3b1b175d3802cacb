"""Loops the three 837 guides (X222 professional, X223 institutional, X224 dental) share.

The header, the billing provider (2000A), subscriber (2000B) and patient (2000C) levels and
the other-subscriber loops (2320/2330x) differ between the three only in a few elements;
each builder takes those differences as arguments.
"""

from __future__ import annotations

from edimesh.validation.guides import codes as c
from edimesh.validation.guides.parts import (
    amt,
    dmg,
    dtp,
    location_name,
    n3,
    n4,
    per,
    prv,
    ref,
)
from edimesh.validation.spec.format import LoopSpec, SegmentUse, loop, seg


def header(ids: str) -> tuple[SegmentUse | LoopSpec, ...]:
    """ST, BHT, 1000A submitter and 1000B receiver. `ids`: the ST03 values accepted."""
    return (
        seg("ST", "R", 1, "", f"R:837 R R:{ids}"),
        seg("BHT", "R", 1, "", "R:0019 R:00,18 R R R R:31,CH,RP"),
        loop(
            "1000A", "Submitter Name", "R", 1,
            seg("NM1", "R", 1, "41", "R:41 R:1,2 R S S N N R:46 R"),
            per("R", 2, name_usage="S"),
        ),
        loop(
            "1000B", "Receiver Name", "R", 1,
            seg("NM1", "R", 1, "40", "R:40 R:2 R N N N N R:46 R"),
        ),
    )


def billing_provider(
    *,
    entity: str,
    secondary_refs: tuple[SegmentUse, ...],
    children: tuple[LoopSpec, ...],
) -> LoopSpec:
    """2000A with 2010AA billing provider, 2010AB pay-to address, 2010AC pay-to plan."""
    person = "S S N S" if "1" in entity else "N N N N"
    return loop(
        "2000A", "Billing Provider Hierarchical Level", "R", ">1",
        seg("HL", "R", 1, "20", "R N R:20 R:1"),
        prv("BI"),
        seg("CUR", "S", 1, "85", "R:85 R"),
        loop(
            "2010AA", "Billing Provider Name", "R", 1,
            seg("NM1", "R", 1, "85", f"R:85 R:{entity} R {person} R:XX R:@NPI"),
            n3(),
            n4(),
            ref("EI,SY", "R", 1),
            *secondary_refs,
            per("S", 2),
        ),
        loop(
            "2010AB", "Pay-to Address Name", "S", 1,
            seg("NM1", "R", 1, "87", "R:87 R:1,2"),
            n3(),
            n4(),
        ),
        loop(
            "2010AC", "Pay-to Plan Name", "S", 1,
            seg("NM1", "R", 1, "PE", "R:PE R:2 R N N N N R:PI,XV R"),
            n3(),
            n4(),
            ref("2U,FY,NF", "S", 1),
            ref("EI", "R", 1),
        ),
        *children,
    )


def subscriber(
    *,
    sbr05: str,
    patient_info: SegmentUse | None,
    claim: LoopSpec,
    patient: LoopSpec,
) -> LoopSpec:
    """2000B with 2010BA subscriber and 2010BB payer; the claim and 2000C follow."""
    nodes: list[SegmentUse | LoopSpec] = [
        seg("HL", "R", 1, "22", "R R R:22 R:0,1"),
        seg("SBR", "R", 1, "", f"R:{c.PAYER_SEQUENCE} S:18 S S {sbr05} N N N S:{c.CLAIM_FILING}"),
    ]
    if patient_info is not None:
        nodes.append(patient_info)
    nodes += [
        loop(
            "2010BA", "Subscriber Name", "R", 1,
            seg("NM1", "R", 1, "IL", "R:IL R:1,2 R S S N S S:II,MI S", rules=("08 -> 09",)),
            n3("S"),
            n4("S"),
            dmg("S"),
            ref("SY", "S", 1),
            ref("Y4", "S", 1),
            per("S", 1),
        ),
        loop(
            "2010BB", "Payer Name", "R", 1,
            seg("NM1", "R", 1, "PR", "R:PR R:2 R N N N N R:PI,XV R"),
            n3("S"),
            n4("S"),
            ref("2U,EI,FY,NF", "S", 3),
            ref("G2,LU", "S", 2),
        ),
        claim,
        patient,
    ]
    return loop("2000B", "Subscriber Hierarchical Level", "R", ">1", *nodes)


def patient(*, pat: str, claim: LoopSpec) -> LoopSpec:
    """2000C with 2010CA; `pat` is the PAT element line of the guide."""
    return loop(
        "2000C", "Patient Hierarchical Level", "S", ">1",
        seg("HL", "R", 1, "23", "R R R:23 R:0"),
        seg("PAT", "R", 1, "", pat, rules=("05 -> 06", "07 -> 08")),
        loop(
            "2010CA", "Patient Name", "R", 1,
            seg("NM1", "R", 1, "QC", "R:QC R:1 R S S N S"),
            n3(),
            n4(),
            dmg("R"),
            ref("Y4,1W,SY", "S", 1),
            per("S", 1),
        ),
        claim,
    )


def other_subscriber(
    *, oi: str, extra: tuple[SegmentUse, ...], provider_loops: tuple[LoopSpec, ...]
) -> LoopSpec:
    """2320 other subscriber information with 2330A other subscriber, 2330B other payer."""
    return loop(
        "2320", "Other Subscriber Information", "S", 10,
        seg(
            "SBR", "R", 1, "",
            f"R:{c.PAYER_SEQUENCE} R:{c.RELATIONSHIP} S S S:{c.MSP_TYPE} N N N "
            f"R:{c.CLAIM_FILING}",
        ),
        adjustments("S", 5),
        amt("D"),
        amt("A8"),
        amt("EAF"),
        seg("OI", "R", 1, "", oi),
        *extra,
        loop(
            "2330A", "Other Subscriber Name", "R", 1,
            seg("NM1", "R", 1, "IL", "R:IL R:1,2 R S S N S R:II,MI R"),
            n3("S"),
            n4("S"),
            ref("SY", "S", 1),
        ),
        loop(
            "2330B", "Other Payer Name", "R", 1,
            seg("NM1", "R", 1, "PR", "R:PR R:2 R N N N N R:PI,XV R"),
            n3("S"),
            n4("S"),
            dtp("573", "S"),
            ref("2U,EI,FY,NF", "S", 2),
            ref("9F", "S", 2),
            ref("G1", "S", 2),
            ref("F8", "S", 2),
            ref("T4", "S", 2),
        ),
        *provider_loops,
    )


def other_payer_provider(loop_id: str, name: str, quals: str, entity: str) -> LoopSpec:
    """2330C..2330I: a provider as the other payer knows it (secondary ids only)."""
    return loop(
        loop_id, name, "S", 2 if quals.startswith("DN") else 1,
        seg("NM1", "R", 1, quals, f"R:{quals} R:{entity}"),
        ref("0B,1G,G2,LU", "R", 3),
    )


def adjustments(usage: str, max_use: int | str) -> SegmentUse:
    """CAS: a group code, then up to six reason / amount / quantity triples."""
    triple = "S:@CARC S S"
    return seg(
        "CAS", usage, max_use, "",
        f"R:{c.ADJUSTMENT_GROUP} R:@CARC R S {' '.join([triple] * 5)}",
    )


def line_adjudication(procedure_qualifiers: str) -> LoopSpec:
    """2430: how another payer adjudicated the line (SVD, CAS, DTP*573, AMT*EAF)."""
    return loop(
        "2430", "Line Adjudication Information", "S", 15,
        seg("SVD", "R", 1, "", f"R R R{{R:{procedure_qualifiers}/R/S/S/S/S/S/N}} S R S"),
        adjustments("S", 5),
        dtp("573", "R"),
        amt("EAF"),
    )


def drug_identification() -> LoopSpec:
    """2410: the NDC of a drug billed on the line."""
    return loop(
        "2410", "Drug Identification", "S", 1,
        seg("LIN", "R", 1, "", "N R:N4 R"),
        seg("CTP", "R", 1, "", "N N N R R{R:F2,GR,ME,ML,UN}"),
        ref("XZ,VY", "S", 1),
    )


def ambulance_locations(prefix: str) -> tuple[LoopSpec, LoopSpec]:
    """Pick-up (NM1*PW) and drop-off (NM1*45) locations: 2310E/F or 2420G/H."""
    return (
        loop(
            f"{prefix}{'E' if prefix == '2310' else 'G'}", "Ambulance Pick-up Location", "S", 1,
            location_name("PW"), n3(), n4(),
        ),
        loop(
            f"{prefix}{'F' if prefix == '2310' else 'H'}", "Ambulance Drop-off Location", "S", 1,
            location_name("45"), n3(), n4(),
        ),
    )
