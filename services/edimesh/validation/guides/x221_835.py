"""835 Health Care Claim Payment/Advice, 005010X221A1."""

from __future__ import annotations

from edimesh.validation.guides import codes as c
from edimesh.validation.guides.parts import dtm, n3, n4, per, ref
from edimesh.validation.spec.format import Guide, LoopSpec, SegmentUse, loop, seg

IDS = "005010X221,005010X221A1"
# CAS in the 835: group code CO, OA, PI or PR (CR was retired in 005010).
_TRIPLE = "S:@CARC S S"
CAS_835 = f"R:CO,OA,PI,PR R:@CARC R S {' '.join([_TRIPLE] * 5)}"
# PLB03-1 provider adjustment reason code.
PLB_REASON = (
    "50,51,72,90,AH,AM,AP,B2,B3,BD,BN,C5,CR,CS,CT,CV,CW,DM,E3,FB,FC,GO,HM,IP,IR,IS,J1,L3,L6,"
    "LE,LS,OA,OB,PI,PL,RA,RE,SL,TL,WO,WU"
)
_AMOUNTS = "AU,D8,DY,F5,I,NL,T,T2,ZK,ZL,ZM,ZN,ZO"
_QUANTITIES = "CA,CD,LA,LE,NE,NR,OU,PS,VS,ZK,ZL,ZM,ZN,ZO"


def _name(quals: str, usage: str, ids: str, entity: str = "1,2") -> SegmentUse:
    return seg("NM1", usage, 1, quals, f"R:{quals} R:{entity} S S S N S S:{ids} S",
               rules=("08 -> 09", "09 -> 08"))


def _service() -> LoopSpec:
    proc = f"R:{c.ADJUDICATED_PROCEDURE_QUALIFIER}/R/S/S/S/S/S/N"
    return loop(
        "2110", "Service Payment Information", "S", 999,
        seg("SVC", "R", 1, "", f"R{{{proc}}} R R S S S{{{proc}}} S"),
        dtm("150,151,472", "S", 2),
        seg("CAS", "S", 99, "", CAS_835),
        ref("1S,APC,BB,E9,G1,G3,LU,RB", "S", 8),
        ref("6R", "S", 1),
        ref("0B,1A,1B,1C,1D,1G,1H,1J,D3,G2,HPI,SY,TJ", "S", 10, name="REF*RENDERING"),
        ref("0K", "S", 5),
        seg("AMT", "S", 9, "B6,KH,T,T2,ZK,ZL,ZM,ZN,ZO", "R:B6,KH,T,T2,ZK,ZL,ZM,ZN,ZO R"),
        seg("QTY", "S", 6, "ZK,ZL,ZM,ZN,ZO", "R:ZK,ZL,ZM,ZN,ZO R"),
        seg("LQ", "S", 99, "HE,RX", "R:HE,RX R"),
    )


def _claim() -> LoopSpec:
    clp = f"R R:1,2,3,4,19,20,21,22,23,25 R R S R:{c.CLAIM_FILING} S S S N S S S S"
    return loop(
        "2100", "Claim Payment Information", "R", ">1",
        seg("CLP", "R", 1, "", clp),
        seg("CAS", "S", 99, "", CAS_835),
        _name("QC", "R", "34,HN,II,MI,MR", "1"),
        _name("IL", "S", "FI,II,MI"),
        _name("74", "S", "C"),
        _name("82", "S", "BD,BS,FI,MC,PC,SL,UP,XX"),
        _name("TT", "S", "AD,FI,NI,PI,PP,XV", "2"),
        _name("PR", "S", "AD,FI,NI,PI,PP,XV", "2"),
        _name("GB", "S", "FI,II,MI"),
        seg("MIA", "S", 1, "", "R S S S S:@RARC S S S S S S S S S S S S S S "
            "S:@RARC S:@RARC S:@RARC S:@RARC S"),
        seg("MOA", "S", 1, "", "S S S:@RARC S:@RARC S:@RARC S:@RARC S:@RARC S S"),
        ref("28,6P,9A,9C,BB,CE,EA,F8,G1,G3,IG,SY", "S", 5),
        ref("0B,1A,1B,1C,1D,1G,1H,1J,D3,G2,LU", "S", 10, name="REF*RENDERING"),
        dtm("232"),
        dtm("233"),
        dtm("036"),
        dtm("050"),
        per("S", 2, "CX"),
        seg("AMT", "S", 13, _AMOUNTS, f"R:{_AMOUNTS} R"),
        seg("QTY", "S", 14, _QUANTITIES, f"R:{_QUANTITIES} R"),
        _service(),
    )


def build() -> Guide:
    bpr = (
        "R:C,D,H,I,P R R:C,D R:ACH,BOP,CHK,FWT,NON S:CCP,CTX S:01,04 S S:DA S S S "
        "S:01,04 S S:DA,SG S R"
    )
    root = loop(
        "ST", "Transaction Set", "R", 1,
        seg("ST", "R", 1, "", f"R:835 R S:{IDS}"),
        seg("BPR", "R", 1, "", bpr, rules=("04=ACH -> 05", "04=ACH -> 06", "04=ACH -> 12")),
        seg("TRN", "R", 1, "1", "R:1 R R S"),
        seg("CUR", "S", 1, "PR", "R:PR R"),
        ref("EV"),
        ref("F2"),
        dtm("405"),
        loop(
            "1000A", "Payer Identification", "R", 1,
            seg("N1", "R", 1, "PR", "R:PR R S:XV S"),
            n3(),
            n4(),
            ref("2U,EO,HI,NF", "S", 4),
            per("S", 1, "CX"),
            per("R", ">1", "BL"),
            per("S", 1, "IC"),
        ),
        loop(
            "1000B", "Payee Identification", "R", 1,
            seg("N1", "R", 1, "PE", "R:PE R R:FI,XV,XX R"),
            n3("S"),
            n4("S"),
            ref("TJ,PQ,0B,D3", "S", ">1"),
            seg("RDM", "S", 1, "", "R:BM,EM,FT,OL S S"),
        ),
        loop(
            "2000", "Header Number", "S", ">1",
            seg("LX", "R", 1, "", "R"),
            seg("TS3", "S", 1, "", "R R R R R N N N N N N N S N S N S S N S S S S S"),
            seg("TS2", "S", 1, "", "S S S S S S S S S S S S S S S S S S S"),
            _claim(),
        ),
        seg("PLB", "S", ">1", "", f"R R R{{R:{PLB_REASON}/S}} R "
            + " ".join([f"S{{R:{PLB_REASON}/S}} S"] * 5)),
        seg("SE", "R", 1, "", "R R"),
    )
    return Guide("005010X221A1", "835", "HP", "835", "835 Claim Payment/Advice", root)
