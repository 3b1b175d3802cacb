"""SNIP 4: inter-segment situational rules, a curated list (docs/validation.md has it too).

837 (P, I, D unless noted)
  4.1  a 2000C patient level only when the subscriber is not the patient (SBR02 is not 18);
       a claim directly under 2000B only when the subscriber is the patient (SBR02 = 18)
  4.2  when the subscriber is the patient, 2010BA has the address (N3, N4) and DMG
  4.3  an accident date (DTP*439) when a related cause (CLM11) is an accident (AA or OA) (P, D)
  4.4  an auto accident (AA) names the state where it happened (CLM11-4) (P, D)
  4.5  a replacement or void claim (CLM05-3 7 or 8) carries the payer's claim number (REF*F8)
  4.6  the billing provider's address has a nine-digit ZIP code, and is not a post office box
  4.7  diagnosis pointers (SV107, SV311) point at diagnoses the claim has
  4.8  diagnosis qualifiers are all ICD-10 (ABK, ABF) or all ICD-9 (BK, BF) on one claim
  4.9  a rendering provider (2310B, 2420A) is identified: an NPI (NM108/NM109) or a REF
  4.10 each line adjudication (2430 SVD01) names a payer of the claim (2330B NM109)
  4.11 institutional service dates fall within the statement period (DTP*434) (I)
835
  4.20 a denied claim (CLP02 = 4) pays nothing (CLP04 = 0)
  4.21 a non-payment (BPR04 = NON) has a zero total (BPR02 = 0)
  4.22 every service has a date (DTM*472 or DTM*150) unless the claim has statement dates
270
  4.30 each subscriber or dependent asked about has at least one inquiry (EQ)
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Final

from edimesh.validation.findings import Finding, Snip
from edimesh.validation.rules.report import at
from edimesh.validation.tree import Loop, Seg, el

_ACCIDENT: Final = frozenset({"AA", "OA"})
_PO_BOX: Final = ("PO BOX", "P O BOX", "P.O. BOX", "POST OFFICE BOX", "PO. BOX", "P.O.BOX")


def _f(seg: Seg, rule: str, message: str, element: int | None = None,
       component: int | None = None) -> Finding:
    return at(seg, f"snip4.{rule}", Snip.SITUATIONAL, message, element, component)


def subscriber_levels(root: Loop, kind: str) -> list[Finding]:
    """4.1, 4.2, 4.6 over the 2000A/2000B levels."""
    out: list[Finding] = []
    for provider in root.loops("2000A"):
        name = provider.loop("2010AA")
        if name is not None:
            out += _billing_address(name)
        for sub in provider.loops("2000B"):
            sbr = sub.seg("SBR")
            is_patient = sbr is not None and el(sbr[1], 2) == "18"
            ids = {c.spec.id for c in sub.children}
            if "2000C" in ids and is_patient and sbr is not None:
                out.append(_f(sbr, "patient_level", "a 2000C patient level follows a subscriber "
                              "who is the patient (SBR02 = 18)", 2))
            if "2300" in ids and not is_patient and sbr is not None:
                out.append(_f(sbr, "patient_level", "claims under 2000B need the subscriber to "
                              "be the patient (SBR02 = 18)", 2))
            ba = sub.loop("2010BA")
            if is_patient and ba is not None and kind != "837D":
                missing = [n for n in ("N3", "N4", "DMG") if ba.first(n) is None]
                if missing:
                    out.append(_f(ba.segs[0], "subscriber_patient", "the subscriber is the "
                                  f"patient, so 2010BA needs {', '.join(missing)}"))
    return out


def _billing_address(name: Loop) -> list[Finding]:
    out: list[Finding] = []
    n4 = name.seg("N4")
    if n4 is not None and el(n4[1], 4) in ("", "US"):
        postal = el(n4[1], 3)
        if not (len(postal) == 9 and postal.isdigit()):
            out.append(_f(n4, "billing_zip", "the billing provider's ZIP code must have nine "
                          "digits", 3))
    n3 = name.seg("N3")
    if n3 is not None:
        line = " ".join(n3[1][1:3]).upper()
        if any(line.startswith(p) or f" {p}" in line for p in _PO_BOX):
            out.append(_f(n3, "billing_po_box", "the billing provider's address must be a "
                          "street address, not a post office box", 1))
    return out


def claim_rules(claim: Loop, kind: str, comp: str) -> list[Finding]:
    """4.3-4.5, 4.7-4.11 for one 2300 loop."""
    out: list[Finding] = []
    clm = claim.segs[0]
    els = clm[1]
    causes = els[11].split(comp) if len(els) > 11 and els[11] else []
    if kind != "837I" and causes and (
            causes[0] in _ACCIDENT or (len(causes) > 1 and causes[1] in _ACCIDENT)):
        if claim.first("DTP*439") is None:
            out.append(_f(clm, "accident_date", "an accident (CLM11) needs an accident date "
                          "(DTP*439)", 11))
        if "AA" in causes[:2] and not el(causes, 3):
            out.append(_f(clm, "accident_state", "an auto accident needs the state where it "
                          "happened", 11, 4))
    frequency = el(el(els, 5).split(comp), 2)
    if frequency in ("7", "8") and claim.first("REF*F8") is None:
        out.append(_f(clm, "payer_claim_number", "a replacement or void claim needs the payer's "
                      "claim control number (REF*F8)", 5, 3))
    lines = [c for c in claim.children if c.spec.id == "2400"]
    out += _diagnoses(claim, lines, comp)
    nested = len(claim.children) > len(lines)
    if not nested:
        for line in lines:
            if line.children:
                nested = True
                break
    if nested:
        out += _rendering(claim, lines)
        out += _adjudicating_payers(claim, lines)
    if kind == "837I":
        out += _statement_dates(claim, lines)
    return out


def _diagnoses(claim: Loop, lines: list[Loop], comp: str) -> list[Finding]:
    out: list[Finding] = []
    count = 0
    families = set()
    for node, els, pos in claim.segs:
        if els[0] == "HI" and node.name in ("HI*ABK", "HI*ABF"):
            for composite in els[1:]:
                qual = composite.partition(comp)[0]
                if qual in ("ABK", "ABF", "BK", "BF"):
                    count += 1
                    families.add(qual.startswith("A"))
            if len(families) > 1:
                out.append(_f((node, els, pos), "diagnosis_family", "ICD-10 and ICD-9 "
                              "diagnosis qualifiers are mixed on one claim", 1, 1))
                families = {True}
    for line in lines if count else ():  # no diagnoses: the missing HI is reported already
        segs = line.segs
        if len(segs) < 2:
            continue
        head = segs[1]
        seg_id = head[1][0]
        if seg_id not in ("SV1", "SV3"):
            continue
        n = 7 if seg_id == "SV1" else 11
        value = head[1][n] if n < len(head[1]) else ""
        bad = _bad_pointers(value, comp, count)
        if bad:
            out.extend(_f(head, "diagnosis_pointer", f"{seg_id}{n:02d}-{k} points at a "
                          "diagnosis the claim does not have", n, k) for k in bad)
    return out


_POINTER_MEMO: Final[dict[tuple[str, str, int], tuple[int, ...]]] = {}


def _bad_pointers(value: str, comp: str, count: int) -> tuple[int, ...]:
    """Component numbers of pointers outside 1..count (memoized: pointer lists repeat)."""
    key = (value, comp, count)
    bad = _POINTER_MEMO.get(key)
    if bad is None:
        bad = tuple(k for k, ptr in enumerate(value.split(comp), 1)
                    if ptr and (not ptr.isdigit() or not 1 <= int(ptr) <= count))
        if len(_POINTER_MEMO) < 4096:
            _POINTER_MEMO[key] = bad
    return bad


def _rendering(claim: Loop, lines: list[Loop]) -> list[Finding]:
    out: list[Finding] = []
    loops = claim.loops("2310B") + [lp for line in lines for lp in line.loops("2420A")]
    for loop in loops:
        nm1 = loop.segs[0]
        if loop.spec.id in ("2310B", "2420A") and el(nm1[1], 1) == "82" and not el(
                nm1[1], 9) and not any(n.id == "REF" for n, _, _ in loop.segs):
            out.append(_f(nm1, "rendering_id", "the rendering provider needs an NPI "
                          "(NM108/NM109) or a secondary identifier (REF)", 9))
    return out


def _adjudicating_payers(claim: Loop, lines: list[Loop]) -> list[Finding]:
    payers = {el(p.segs[0][1], 9) for o in claim.loops("2320") for p in o.loops("2330B")}
    out = []
    for line in lines:
        for adj in line.loops("2430"):
            svd = adj.segs[0]
            if el(svd[1], 1) not in payers:
                out.append(_f(svd, "adjudicating_payer", "SVD01 names no other payer of the "
                              "claim (2330B NM109)", 1))
    return out


def _statement_dates(claim: Loop, lines: list[Loop]) -> list[Finding]:
    period = claim.first("DTP*434")
    if period is None or "-" not in el(period, 3):
        return []
    start, _, end = el(period, 3).partition("-")
    if start > end:
        return []  # a reversed period is reported as an invalid date already
    out = []
    for line in lines:
        dtp = line.seg("DTP*472")
        if dtp is None:
            continue
        first, _, last = el(dtp[1], 3).partition("-")
        if first < start or (last or first) > end:
            out.append(_f(dtp, "service_in_statement", "the service date is outside the "
                          "statement period (DTP*434)", 3))
    return out


def _zero(value: str) -> bool:
    try:
        return Decimal(value or "0") == 0
    except InvalidOperation:
        return False


def remittance_rules(root: Loop) -> list[Finding]:
    out: list[Finding] = []
    bpr = root.seg("BPR")
    if bpr is not None and el(bpr[1], 4) == "NON" and not _zero(el(bpr[1], 2)):
        out.append(_f(bpr, "non_payment", "a non-payment (BPR04 = NON) must total zero", 2))
    for header in root.loops("2000"):
        for claim in header.children:
            clp = claim.segs[0]
            if el(clp[1], 2) == "4" and not _zero(el(clp[1], 4)):
                out.append(_f(clp, "denied_paid", "a denied claim (CLP02 = 4) must pay zero", 4))
            has_statement = claim.first("DTM*232") is not None
            for service in claim.children:
                dated = any(n.id == "DTM" for n, _, _ in service.segs)
                if not dated and not has_statement:
                    out.append(_f(service.segs[0], "service_date", "the service has no date "
                                  "and the claim no statement dates"))
    return out


def inquiry_rules(root: Loop) -> list[Finding]:
    out: list[Finding] = []
    for loop in root.walk():
        if loop.id in ("2000C", "2000D") and not loop.loops("2000D"):
            name = loop.loop(f"2100{loop.id[-1]}")
            if name is not None and not name.loops(f"2110{loop.id[-1]}"):
                out.append(_f(name.segs[0], "inquiry", "the person asked about has no "
                              "eligibility or benefit inquiry (EQ)"))
    return out
