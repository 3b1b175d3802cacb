"""270/271 Eligibility, Coverage or Benefit Inquiry and Information, 005010X279A1.

The two sets share their hierarchy (2000A source > 2000B receiver > 2000C subscriber >
2000D dependent) and most of their name loops; the 270 asks with EQ, the 271 answers with EB.
"""

from __future__ import annotations

from edimesh.validation.guides.parts import dmg, n3, n4, per, ref
from edimesh.validation.spec.format import Guide, LoopSpec, SegmentUse, loop, seg

IDS = "005010X279,005010X279A1"
SOURCE = "2B,36,GP,P5,PR"
RECEIVER = "1P,2B,36,80,FA,GP,P5,PR"
COVERAGE_LEVEL = "CHD,DEP,ECH,EMP,ESP,FAM,IND,SPC,SPO,SPS"
EB01 = "1,2,3,4,5,6,7,8,A,B,C,CB,D,E,F,G,H,I,J,K,L,M,MC,N,O,P,Q,R,S,T,U,V,W,X,Y"
TIME_PERIOD = "6,7,13,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36"
QUANTITY = "8H,99,CA,CE,D3,DB,DY,FL,HS,LA,LE,M2,MN,P6,QA,S7,S8,VS,YY"
SUBSCRIBER_REFS = "18,1L,1W,3H,49,6P,EA,F6,GH,HJ,IG,N6,NQ,SY,Y4"
DATES = (
    "096,102,152,291,307,318,340,341,342,343,346,347,356,357,382,435,442,458,472,539,540,636,"
    "771"
)
PROVIDER_CODES = "AD,AT,BI,CO,CV,H,HH,LA,OT,P1,P2,PC,PE,R,RF,SB,SK,SU"


def _aaa(reasons: str) -> SegmentUse:
    return seg("AAA", "S", 9, "", f"R:N,Y N R:{reasons} R:C,N,R,S,W,X,Y")


def _prv() -> SegmentUse:
    return seg("PRV", "S", 1, "", f"R:{PROVIDER_CODES} R:PXC R:@TAXONOMY")


def _name_loop(loop_id: str, quals: str, ids: str, *rest: SegmentUse | LoopSpec,
               person: str = "S S S N S") -> LoopSpec:
    nm1 = seg("NM1", "R", 1, quals, f"R:{quals} R:1,2 {person} S:{ids} S",
              rules=("08 -> 09", "09 -> 08"))
    return loop(loop_id, "Name", "R", 1, nm1, *rest)


def _inquiry(loop_id: str) -> LoopSpec:
    return loop(
        loop_id, "Eligibility or Benefit Inquiry", "S", 99,
        seg("EQ", "R", 1, "", f"S:@SERVICE_TYPE S{{R:AD,CJ,HC,ID,IV,N4,ZZ/R/S/S/S/S/N/S}} "
            f"S:{COVERAGE_LEVEL} N S{{R/S/S/S}}", rules=("!01 -> 02",)),
        seg("AMT", "S", 2, "R,PB", "R:R,PB R"),
        seg("III", "S", 10, "", "R:BF,BK,ZZ R"),
        ref("9F,G1"),
        seg("DTP", "S", 1, "", f"R:{DATES} R:D8,RD8 R=D"),
    )


def _benefit(loop_id: str, entity_loop: str) -> LoopSpec:
    eb = (
        f"R:{EB01} S:{COVERAGE_LEVEL} S:@SERVICE_TYPE S S S:{TIME_PERIOD} S S S:{QUANTITY} S "
        "S:N,U,W,Y S:N,Y S{R:AD,CJ,HC,ID,IV,N4,ZZ/R/S/S/S/S/N/S} S{R/S/S/S}"
    )
    return loop(
        loop_id, "Eligibility or Benefit Information", "S", ">1",
        seg("EB", "R", 1, "", eb),
        seg("HSD", "S", 9, "", "S S S S S S S S"),
        ref("18,1L,1W,49,6P,9F,ALS,CLI,F6,FO,G1,IG,M7,N6,NQ,PID", "S", 9),
        seg("DTP", "S", 20, "", f"R:{DATES} R:D8,RD8 R=D"),
        _aaa("15,41,43,45,47,48,49,50,51,52,53,54,55,56,57,58,60,61,62,63,69,70,98,AA,AE,AF,AG,AO,CI,E8,IA,MA"),
        seg("MSG", "S", 10, "", "R"),
        loop(f"{loop_id[:3]}5{loop_id[-1]}", "Eligibility or Benefit Additional Information",
             "S", 10, seg("III", "R", 1, "", "S:GR,NI,ZZ S S:44 S S")),
        seg("LS", "S", 1, "", "R"),
        loop(
            entity_loop, "Benefit Related Entity", "S", 23,
            seg("NM1", "R", 1, "", "R R:1,2 S S S N S S S N N N"),
            n3("S"),
            n4("S"),
            per("S", 3),
            _prv(),
        ),
        seg("LE", "S", 1, "", "R"),
    )


def _member_271(level: str, hl: str, quals: str, ins: str, child: LoopSpec | None) -> LoopSpec:
    reasons = "15,35,42,43,45,47,48,49,51,52,56,57,58,60,61,62,63,71,72,73,74,75,76,78"
    nodes: list[SegmentUse | LoopSpec] = [
        seg("HL", "R", 1, hl, f"R R R:{hl} {'R:0,1' if child else 'R:0'}"),
        seg("TRN", "S", 3, "1,2", "R:1,2 R R S"),
        _name_loop(
            f"2100{level}", quals, "II,MI", ref(SUBSCRIBER_REFS, "S", 9), n3("S"), n4("S"),
            _aaa(reasons), _prv(), dmg("S", "S"), seg("INS", "S", 1, "", ins),
            seg("HI", "S", 1, "", "R{R:ABK,BK/R} " + " ".join(["S{R:ABF,BF/R}"] * 7)),
            seg("DTP", "S", 9, "", f"R:{DATES} R:D8,RD8 R=D"),
            seg("MPI", "S", 1, "", "R R R S S S S"),
            _benefit(f"2110{level}", f"2120{level}"),
        ),
    ]
    if child is not None:
        nodes.append(child)
    name = "Subscriber Level" if level == "C" else "Dependent Level"
    return loop(f"2000{level}", name, "S", ">1", *nodes)  # the 271 may stop at 2000B


def _member_270(level: str, hl: str, quals: str, ins: str, child: LoopSpec | None) -> LoopSpec:
    nodes: list[SegmentUse | LoopSpec] = [
        seg("HL", "R", 1, hl, f"R R R:{hl} {'R:0,1' if child else 'R:0'}"),
        seg("TRN", "S", 2, "1", "R:1 R R S"),
        _name_loop(
            f"2100{level}", quals, "II,MI", ref(SUBSCRIBER_REFS, "S", 9), n3("S"), n4("S"),
            _prv(), dmg("S", "S"), seg("INS", "S", 1, "", ins),
            seg("HI", "S", 1, "", "R{R:ABK,BK/R} " + " ".join(["S{R:ABF,BF/R}"] * 7)),
            seg("DTP", "S", 2, "", f"R:{DATES} R:D8,RD8 R=D"),
            _inquiry(f"2110{level}"),
        ),
    ]
    if child is not None:
        nodes.append(child)
    name = "Subscriber Level" if level == "C" else "Dependent Level"
    return loop(f"2000{level}", name, "R" if level == "C" else "S", ">1", *nodes)


def _build(st01: str) -> Guide:
    is_271 = st01 == "271"
    member = _member_271 if is_271 else _member_270
    sub_ins = "R:Y R:18 " + " ".join(["N"] * 14) + " S" if not is_271 else (
        "R:Y R:18 S:001 S:25 N N N N N N N N N N N N S")
    dep_ins = "R:N R:01,19,20,21,39,40,53,G8 " + " ".join(["N"] * 14) + " S" if not is_271 else (
        "R:N R:01,19,20,21,39,40,53,G8 S:001 S:25 N N N N N N N N N N N N S")
    dependent = member("D", "23", "03", dep_ins, None)
    subscriber_loop = member("C", "22", "IL", sub_ins, dependent)
    source_refs: tuple[SegmentUse, ...] = (
        (per("S", 3), _aaa("04,41,42,79,80,T4")) if is_271 else ()
    )
    receiver_refs: tuple[SegmentUse, ...] = (
        ref("0B,1C,1D,1J,4A,CT,EL,EO,HPI,JD,N5,N7,Q4,SY,TJ", "S", 9),
        *((_aaa("15,41,43,44,45,46,47,48,50,51,79,97,T4"),) if is_271 else (n3("S"), n4("S"))),
        _prv(),
    )
    bht = "R:0022 R:06,11 S R R N" if is_271 else "R:0022 R:01,13,36 S R R S:RT"
    root = loop(
        "ST", "Transaction Set", "R", 1,
        seg("ST", "R", 1, "", f"R:{st01} R R:{IDS}"),
        seg("BHT", "R", 1, "", bht),
        loop(
            "2000A", "Information Source Level", "R", ">1",
            seg("HL", "R", 1, "20", f"R N R:20 {'R:0,1' if is_271 else 'R:1'}"),
            *((_aaa("04,41,42,79,80,T4"),) if is_271 else ()),
            _name_loop("2100A", SOURCE, "24,46,FI,NI,PI,XV,XX", *source_refs, person="R S S N S"),
            loop(
                "2000B", "Information Receiver Level", "S" if is_271 else "R", ">1",
                seg("HL", "R", 1, "21", f"R R R:21 {'R:0,1' if is_271 else 'R:1'}"),
                _name_loop("2100B", RECEIVER, "24,34,46,FI,PI,PP,SV,XV,XX", *receiver_refs),
                subscriber_loop,
            ),
        ),
        seg("SE", "R", 1, "", "R R"),
    )
    kind = "271" if is_271 else "270"
    title = "Eligibility Benefit Response" if is_271 else "Eligibility Benefit Inquiry"
    fid = "HB" if is_271 else "HS"
    return Guide("005010X279A1", st01, fid, kind, f"{kind} {title}", root)


def build_270() -> Guide:
    return _build("270")


def build_271() -> Guide:
    return _build("271")
