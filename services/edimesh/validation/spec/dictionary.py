# ruff: noqa: E501 - one segment a line reads better than wrapped element lists
"""The X12 005010 segment dictionary for the segments the supported guides use.

One line per segment: ``ID | name | elements | syntax notes | qualifier``. An element is
``ref:TYPE:min:max`` (``*N`` for N repetitions); a composite is ``Cnnn[element ...]``. The
qualifier names the element (``01``) or component (``01-1``) whose value tells two uses of
the segment apart (NM101 85 vs 87). Facts from the X12 005010 standard; a guide narrows
them (usage, codes) but never widens them.
"""

from __future__ import annotations

import re

from edimesh.validation.spec.format import CompositeDef, ElementDef, SegmentDef, SpecError

_C001 = "C001[355:ID:2:2 1018:R:1:15 649:R:1:10 355:ID:2:2 1018:R:1:15 649:R:1:10 355:ID:2:2 1018:R:1:15 649:R:1:10 355:ID:2:2 1018:R:1:15 649:R:1:10 355:ID:2:2 1018:R:1:15 649:R:1:10]"
_C003 = "C003[235:ID:2:2 234:AN:1:48 1339:AN:2:2 1339:AN:2:2 1339:AN:2:2 1339:AN:2:2 352:AN:1:80 234:AN:1:48]"
_C004 = "C004[1328:N0:1:2 1328:N0:1:2 1328:N0:1:2 1328:N0:1:2]"
_C022 = "C022[1270:ID:1:3 1271:AN:1:30 1250:ID:2:3 1251:AN:1:35 782:R:1:18 380:R:1:15 799:AN:1:30 1271:AN:1:30 1073:ID:1:1]"
_C040 = "C040[128:ID:2:3 127:AN:1:50 128:ID:2:3 127:AN:1:50 128:ID:2:3 127:AN:1:50]"
_CAS = " ".join(["1034:ID:1:5 782:R:1:18 380:R:1:15"] * 6)
_PLB = " ".join(["C042[426:ID:2:2 127:AN:1:50] 782:R:1:18"] * 6)
_LIN = " ".join(["235:ID:2:2 234:AN:1:48"] * 15)
_CUR = " ".join(["374:ID:3:3 373:DT:8:8 337:TM:4:8"] * 5)

TABLE = f"""
ST  | Transaction Set Header | 143:ID:3:3 329:AN:4:9 1705:AN:1:35 | |
SE  | Transaction Set Trailer | 96:N0:1:10 329:AN:4:9 | |
BHT | Beginning of Hierarchical Transaction | 1005:ID:4:4 353:ID:2:2 127:AN:1:50 373:DT:8:8 337:TM:4:8 640:ID:2:2 | |
HL  | Hierarchical Level | 628:AN:1:12 734:AN:1:12 735:ID:1:2 736:ID:1:1 | | 03
NM1 | Individual or Organizational Name | 98:ID:2:3 1065:ID:1:1 1035:AN:1:60 1036:AN:1:35 1037:AN:1:25 1038:AN:1:10 1039:AN:1:10 66:ID:1:2 67:AN:2:80 706:ID:2:2 98:ID:2:3 1035:AN:1:60 | P0809 C1110 | 01
N1  | Party Identification | 98:ID:2:3 93:AN:1:60 66:ID:1:2 67:AN:2:80 706:ID:2:2 98:ID:2:3 | R0203 P0304 | 01
N2  | Additional Name Information | 93:AN:1:60 93:AN:1:60 | |
N3  | Party Location | 166:AN:1:55 166:AN:1:55 | |
N4  | Geographic Location | 19:AN:2:30 156:ID:2:2 116:ID:3:15 26:ID:2:3 309:ID:1:2 310:AN:1:30 1715:ID:1:3 | C0605 |
PER | Administrative Communications Contact | 366:ID:2:2 93:AN:1:60 365:ID:2:2 364:AN:1:256 365:ID:2:2 364:AN:1:256 365:ID:2:2 364:AN:1:256 443:AN:1:20 | P0304 P0506 P0708 | 01
REF | Reference Information | 128:ID:2:3 127:AN:1:50 352:AN:1:80 {_C040} | R0203 | 01
DTP | Date or Time or Period | 374:ID:3:3 1250:ID:2:3 1251:AN:1:35 | | 01
DTM | Date/Time Reference | 374:ID:3:3 373:DT:8:8 337:TM:4:8 623:ID:2:2 1250:ID:2:3 1251:AN:1:35 | R020305 C0403 P0506 | 01
PRV | Provider Information | 1221:ID:1:3 128:ID:2:3 127:AN:1:50 156:ID:2:2 C035[1223:ID:1:3 1224:ID:1:1] 1223:ID:3:3 | P0203 | 01
CUR | Currency | 98:ID:2:3 100:ID:3:3 280:R:4:10 98:ID:2:3 100:ID:3:3 669:ID:3:3 {_CUR} | | 01
DMG | Demographic Information | 1250:ID:2:3 1251:AN:1:35 1068:ID:1:1 1067:ID:1:1 C056[1109:ID:1:1 1270:ID:1:3 1271:AN:1:30]*10 1066:ID:1:2 26:ID:2:3 659:ID:1:2 380:R:1:15 1270:ID:1:3 1271:AN:1:30 | P0102 P1011 C1105 |
SBR | Subscriber Information | 1138:ID:1:1 1069:ID:2:2 127:AN:1:50 93:AN:1:60 1336:ID:1:3 1143:ID:1:1 1073:ID:1:1 584:ID:1:2 1032:ID:1:2 | |
PAT | Patient Information | 1069:ID:2:2 1384:ID:1:1 584:ID:1:2 1220:ID:1:1 1250:ID:2:3 1251:AN:1:35 355:ID:2:2 81:R:1:10 1073:ID:1:1 | P0506 P0708 |
CLM | Health Claim | 1028:AN:1:38 782:R:1:18 1032:ID:1:2 1343:ID:1:2 C023[1331:AN:1:2 1332:ID:1:2 1325:ID:1:1] 1073:ID:1:1 1359:ID:1:1 1073:ID:1:1 1363:ID:1:1 1351:ID:1:1 C024[1362:ID:2:3 1362:ID:2:3 1362:ID:2:3 156:ID:2:2 26:ID:2:3] 1366:ID:2:3 1073:ID:1:1 1338:ID:1:1 1360:ID:1:1 1029:ID:1:2 1384:ID:1:2 1073:ID:1:1 1383:ID:1:2 1514:ID:1:2 | |
CL1 | Claim Codes | 1315:ID:1:1 1314:ID:1:1 1352:ID:1:2 1345:ID:1:1 | |
DN1 | Orthodontic Information | 380:R:1:15 380:R:1:15 1073:ID:1:1 352:AN:1:80 | |
DN2 | Tooth Summary | 127:AN:1:50 1368:ID:1:2 380:R:1:15 1250:ID:2:3 1251:AN:1:35 1270:ID:1:3 | |
PWK | Paperwork | 755:ID:2:2 756:ID:1:2 757:N0:1:2 98:ID:2:3 66:ID:1:2 67:AN:2:80 352:AN:1:80 C002[704:ID:1:2 704:ID:1:2 704:ID:1:2 704:ID:1:2 704:ID:1:2] 1525:ID:1:1 | P0506 | 01
CN1 | Contract Information | 1166:ID:2:2 782:R:1:18 332:R:1:6 127:AN:1:50 338:R:1:6 799:AN:1:30 | |
AMT | Monetary Amount Information | 522:ID:1:3 782:R:1:18 478:ID:1:1 | | 01
K3  | File Information | 449:AN:1:80 1333:ID:1:2 {_C001} | |
NTE | Note/Special Instruction | 363:ID:3:3 352:AN:1:80 | | 01
CR1 | Ambulance Certification | 355:ID:2:2 81:R:1:10 1316:ID:1:1 1049:ID:1:1 355:ID:2:2 380:R:1:15 166:AN:1:55 166:AN:1:55 352:AN:1:80 352:AN:1:80 | P0102 P0506 |
CR2 | Chiropractic Certification | 609:N0:1:9 380:R:1:15 1367:AN:1:3 1367:AN:1:3 355:ID:2:2 380:R:1:15 380:R:1:15 1342:ID:1:1 1073:ID:1:1 352:AN:1:80 352:AN:1:80 1073:ID:1:1 | P0506 |
CR3 | Durable Medical Equipment Certification | 1322:ID:1:1 355:ID:2:2 380:R:1:15 1335:ID:1:1 352:AN:1:80 | P0203 |
CRC | Conditions Indicator | 1136:ID:2:3 1073:ID:1:1 1321:ID:2:3 1321:ID:2:3 1321:ID:2:3 1321:ID:2:3 1321:ID:2:3 | | 01
HI  | Health Care Information Codes | {" ".join([_C022] * 12)} | | 01-1
HCP | Health Care Pricing | 1473:ID:2:2 782:R:1:18 782:R:1:18 127:AN:1:50 118:R:1:9 127:AN:1:50 782:R:1:18 234:AN:1:48 235:ID:2:2 234:AN:1:48 355:ID:2:2 380:R:1:15 901:ID:1:2 1526:ID:1:2 1527:ID:1:2 | |
LX  | Transaction Set Line Number | 554:N0:1:6 | |
SV1 | Professional Service | {_C003} 782:R:1:18 355:ID:2:2 380:R:1:15 1331:AN:1:2 1365:ID:1:2 {_C004} 782:R:1:18 1073:ID:1:1 1340:ID:1:2 1073:ID:1:1 1073:ID:1:1 1364:ID:1:2 1341:AN:1:2 1327:ID:1:1 1334:ID:1:2 127:AN:1:50 116:ID:3:15 782:R:1:18 1337:ID:1:3 1360:ID:1:1 | P0304 |
SV5 | Durable Medical Equipment Service | {_C003} 355:ID:2:2 380:R:1:15 782:R:1:18 782:R:1:18 594:ID:1:1 | |
SV2 | Institutional Service Line | 234:AN:1:48 {_C003} 782:R:1:18 355:ID:2:2 380:R:1:15 118:R:1:9 782:R:1:18 1345:ID:1:1 1337:ID:1:3 1351:ID:1:1 1073:ID:1:1 | P0405 |
SV3 | Dental Service | {_C003} 782:R:1:18 1331:AN:1:2 C006[1361:ID:1:3 1361:ID:1:3 1361:ID:1:3 1361:ID:1:3 1361:ID:1:3] 1358:ID:1:1 380:R:1:15 352:AN:1:80 1327:ID:1:1 1360:ID:1:1 1073:ID:1:1 {_C004} | |
TOO | Tooth Identification | 1270:ID:1:3 1271:AN:1:30 C005[1369:ID:1:3 1369:ID:1:3 1369:ID:1:3 1369:ID:1:3 1369:ID:1:3] | | 01
SVD | Line Adjudication Information | 67:AN:2:80 782:R:1:18 {_C003} 234:AN:1:48 380:R:1:15 554:N0:1:6 | |
CAS | Claims Adjustment | 1033:ID:1:2 {_CAS} | L050607 C0605 C0705 L080910 C0908 C1008 L111213 C1211 C1311 L141516 C1514 C1614 L171819 C1817 C1917 |
MOA | Outpatient Adjudication Information | 954:R:1:10 782:R:1:18 127:AN:1:50 127:AN:1:50 127:AN:1:50 127:AN:1:50 127:AN:1:50 782:R:1:18 782:R:1:18 | |
MIA | Inpatient Adjudication Information | 380:R:1:15 782:R:1:18 380:R:1:15 782:R:1:18 127:AN:1:50 782:R:1:18 782:R:1:18 782:R:1:18 782:R:1:18 782:R:1:18 782:R:1:18 782:R:1:18 782:R:1:18 782:R:1:18 380:R:1:15 782:R:1:18 782:R:1:18 782:R:1:18 782:R:1:18 127:AN:1:50 127:AN:1:50 127:AN:1:50 127:AN:1:50 782:R:1:18 | |
OI  | Other Health Insurance Information | 1032:ID:1:2 1383:ID:1:2 1073:ID:1:1 1351:ID:1:1 1360:ID:1:1 1363:ID:1:1 | |
QTY | Quantity Information | 673:ID:2:2 380:R:1:15 {_C001} 61:AN:1:30 | | 01
MEA | Measurements | 737:ID:2:2 738:ID:1:3 739:R:1:20 {_C001} 740:R:1:20 741:R:1:20 935:ID:2:2 936:ID:1:2 752:ID:2:2 1373:ID:1:1 1270:ID:1:3 1271:AN:1:30 | | 01
LIN | Item Identification | 350:AN:1:20 {_LIN} | |
CTP | Pricing Information | 687:ID:2:2 236:ID:3:3 212:R:1:17 380:R:1:15 {_C001} 648:ID:3:3 649:R:1:10 782:R:1:18 639:ID:2:2 499:AN:1:10 289:N0:1:2 | |
LQ  | Industry Code Identification | 1270:ID:1:3 1271:AN:1:30 | | 01
FRM | Supporting Documentation | 350:AN:1:20 1073:ID:1:1 127:AN:1:50 373:DT:8:8 332:R:1:6 | |
PS1 | Purchase Service | 127:AN:1:50 782:R:1:18 156:ID:2:2 | |
BPR | Financial Information | 305:ID:1:2 782:R:1:18 478:ID:1:1 591:ID:3:3 812:ID:1:10 506:ID:2:2 507:AN:3:12 569:ID:1:3 508:AN:1:35 509:AN:10:10 510:AN:9:9 506:ID:2:2 507:AN:3:12 569:ID:1:3 508:AN:1:35 373:DT:8:8 1048:ID:1:3 506:ID:2:2 507:AN:3:12 569:ID:1:3 508:AN:1:35 | P0607 C0809 P1213 C1415 P1819 C2021 |
TRN | Trace | 481:ID:1:2 127:AN:1:50 509:AN:10:10 127:AN:1:50 | | 01
RDM | Remittance Delivery Method | 756:ID:1:2 93:AN:1:60 364:AN:1:256 {_C040} {_C040} | |
TS3 | Provider Summary Information | 127:AN:1:50 1331:AN:1:2 373:DT:8:8 380:R:1:15 {" ".join(["782:R:1:18"] * 18)} 380:R:1:15 782:R:1:18 | |
TS2 | Provider Supplemental Summary Information | 782:R:1:18 782:R:1:18 782:R:1:18 782:R:1:18 782:R:1:18 782:R:1:18 380:R:1:15 782:R:1:18 782:R:1:18 380:R:1:15 380:R:1:15 380:R:1:15 380:R:1:15 380:R:1:15 782:R:1:18 782:R:1:18 782:R:1:18 380:R:1:15 782:R:1:18 | |
CLP | Claim Level Data | 1028:AN:1:38 1029:ID:1:2 782:R:1:18 782:R:1:18 782:R:1:18 1032:ID:1:2 127:AN:1:50 1331:AN:1:2 1325:ID:1:1 1352:ID:1:2 1354:ID:1:4 380:R:1:15 954:R:1:10 1073:ID:1:1 | |
SVC | Service Payment Information | {_C003} 782:R:1:18 782:R:1:18 234:AN:1:48 380:R:1:15 {_C003} 380:R:1:15 | |
PLB | Provider Level Adjustment | 127:AN:1:50 373:DT:8:8 {_PLB} | P0506 P0708 P0910 P1112 P1314 |
EQ  | Eligibility or Benefit Inquiry | 1365:ID:1:2*99 {_C003} 1207:ID:3:3 1336:ID:1:3 {_C004} | |
EB  | Eligibility or Benefit Information | 1390:ID:1:2 1207:ID:3:3 1365:ID:1:2*99 1336:ID:1:3 1204:AN:1:50 615:ID:1:2 782:R:1:18 954:R:1:10 673:ID:2:2 380:R:1:15 1073:ID:1:1 1073:ID:1:1 {_C003} {_C004} | P0910 |
HSD | Health Care Services Delivery | 673:ID:2:2 380:R:1:15 355:ID:2:2 1167:R:1:6 615:ID:1:2 616:N0:1:3 678:ID:1:2 679:ID:1:2 | P0102 C0605 |
MSG | Message Text | 933:AN:1:264 934:ID:2:2 1470:N0:1:9 | |
AAA | Request Validation | 1073:ID:1:1 559:ID:2:2 901:ID:2:2 889:ID:1:1 | |
INS | Insured Benefit | 1073:ID:1:1 1069:ID:2:2 875:ID:3:3 1203:ID:2:3 1216:ID:1:1 C052[1218:ID:1:1 1219:ID:1:1] 1219:ID:1:1 584:ID:1:2 1220:ID:1:1 1073:ID:1:1 1250:ID:2:3 1251:AN:1:35 1165:ID:1:1 19:AN:2:30 156:ID:2:2 26:ID:2:3 1470:N0:1:9 | P1112 |
III | Information | 1270:ID:1:3 1271:AN:1:30 1136:ID:2:2 933:AN:1:264 380:R:1:15 {_C001} | P0102 |
MPI | Military Personnel Information | 1201:ID:1:1 1584:ID:2:2 1585:ID:2:2 352:AN:1:80 1586:ID:2:3 1250:ID:2:3 1251:AN:1:35 | P0607 |
LS  | Loop Header | 447:AN:1:4 | |
LE  | Loop Trailer | 447:AN:1:4 | |
AK1 | Functional Group Response Header | 479:ID:2:2 28:N0:1:9 480:AN:1:12 | |
AK2 | Transaction Set Response Header | 143:ID:3:3 329:AN:4:9 1705:AN:1:35 | |
IK3 | Implementation Data Segment Note | 721:ID:2:3 719:N0:1:10 447:AN:1:4 620:ID:1:3 | |
CTX | Context | C998[9999:AN:1:35 9998:AN:1:35]*10 721:ID:2:3 719:N0:1:10 447:AN:1:4 C030[722:N0:1:2 1528:N0:1:2 1686:N0:1:4] C999[725:N0:1:4 725:N0:1:4] | | 01-1
IK4 | Implementation Data Element Note | C030[722:N0:1:2 1528:N0:1:2 1686:N0:1:4] 725:N0:1:4 621:ID:1:3 724:AN:1:99 | |
IK5 | Implementation Transaction Set Response Trailer | 717:ID:1:1 618:ID:1:3 618:ID:1:3 618:ID:1:3 618:ID:1:3 618:ID:1:3 | |
AK9 | Functional Group Response Trailer | 715:ID:1:1 97:N0:1:6 123:N0:1:6 2:N0:1:6 716:ID:1:3 716:ID:1:3 716:ID:1:3 716:ID:1:3 716:ID:1:3 | |
"""

_ELEMENT = re.compile(r"(\d+):(ID|AN|N\d|R|DT|TM|B):(\d+):(\d+)(?:\*(\d+))?$")
_COMPOSITE = re.compile(r"(C\d{3})\[([^\]]*)\](?:\*(\d+))?$")


def _element(text: str) -> ElementDef:
    m = _ELEMENT.match(text)
    if not m:
        raise SpecError(f"bad dictionary element {text!r}")
    return ElementDef(int(m[1]), m[2], int(m[3]), int(m[4]), int(m[5] or 1))


def _elements(text: str) -> tuple[ElementDef | CompositeDef, ...]:
    out: list[ElementDef | CompositeDef] = []
    for token in re.findall(r"C\d{3}\[[^\]]*\](?:\*\d+)?|\S+", text):
        m = _COMPOSITE.match(token)
        if m:
            comps = tuple(_element(t) for t in m[2].split())
            out.append(CompositeDef(m[1], comps, int(m[3] or 1)))
        else:
            out.append(_element(token))
    return tuple(out)


def _qualifier(text: str) -> tuple[int, int] | None:
    if not text:
        return None
    element, _, component = text.partition("-")
    return int(element), int(component or 0)


def load(table: str = TABLE) -> dict[str, SegmentDef]:
    segments: dict[str, SegmentDef] = {}
    for line in table.strip().splitlines():
        seg_id, name, elements, syntax, qualifier = (part.strip() for part in line.split("|"))
        segments[seg_id] = SegmentDef(
            seg_id, name, _elements(elements), tuple(syntax.split()), _qualifier(qualifier)
        )
    return segments


SEGMENTS = load()
