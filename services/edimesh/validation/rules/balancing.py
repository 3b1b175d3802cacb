"""SNIP 3: amounts that must add up.

837: CLM02 = sum of line charges (SV102, SV203 or SV302). COB (2320/2430): a line's charge
less its 2430 adjustments = SVD02, and AMT*D (payer paid) = CLM02 less that payer's claim
and line adjustments. 835: SVC02 - line CAS = SVC03; CLP03 - claim and line CAS = CLP04;
sum of CLP04 - sum of PLB amounts = BPR02.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from edimesh.validation.extract.common import opt_money as _amount  # None: SNIP 1 says why
from edimesh.validation.findings import Finding, Snip
from edimesh.validation.rules.report import at
from edimesh.validation.tree import Loop, el

_LINE_CHARGE: Final = {"SV1": 2, "SV2": 3, "SV3": 2}
_ZERO: Final = Decimal(0)


def cas_total(loop: Loop) -> Decimal:
    total = _ZERO
    for node, els, _ in loop.segs:
        if node.id == "CAS":
            for i in range(3, min(len(els), 20), 3):
                total += _amount(els[i]) or _ZERO
    return total


def claims_837(claims: list[Loop]) -> list[Finding]:
    out: list[Finding] = []
    for claim in claims:
        clm = claim.segs[0]
        total = _amount(el(clm[1], 2))
        lines = [c for c in claim.children if c.spec.id == "2400"]
        line_sum: Decimal | None = _ZERO
        charges: dict[int, Decimal] = {}
        for line in lines:
            if len(line.segs) > 1:
                node, els, _ = line.segs[1]
                n = _LINE_CHARGE.get(node.id)
                charge = _amount(els[n] if n < len(els) else "") if n else None
                if charge is None:
                    line_sum = None  # a SNIP 1 finding already says why: do not guess
                elif line_sum is not None:
                    line_sum += charge
                    charges[id(line)] = charge
        if total is not None and line_sum is not None and lines and line_sum != total:
            out.append(at(clm, "snip3.claim_charge", Snip.BALANCING,
                          "CLM02 does not equal the sum of the service line charges", 2))
        if len(claim.children) > len(lines) or any(line.children for line in lines):
            out += _cob(claim, lines, charges, total)  # 2320 or 2430 loops: COB to check
    return out


def _cob(claim: Loop, lines: list[Loop], charges: dict[int, Decimal],
         total: Decimal | None) -> list[Finding]:
    out: list[Finding] = []
    line_adjustments: dict[str, Decimal] = {}
    for line in lines:
        for adj in line.children:
            if adj.spec.id != "2430":
                continue
            svd = adj.segs[0]
            cas = cas_total(adj)
            payer = el(svd[1], 1)
            line_adjustments[payer] = line_adjustments.get(payer, _ZERO) + cas
            paid = _amount(el(svd[1], 2))
            charge = charges.get(id(line))
            if paid is not None and charge is not None and charge - cas != paid:
                out.append(at(svd, "snip3.cob_line", Snip.BALANCING,
                              "line charge less the 2430 adjustments does not equal SVD02", 2))
    for other in claim.children:
        if other.spec.id != "2320" or total is None:
            continue
        amt = next((s for s in other.segs if s[0].name == "AMT*D"), None)
        payer_loop = other.loop("2330B")
        if amt is None or payer_loop is None:
            continue
        payer_id = el(payer_loop.segs[0][1], 9)
        paid = _amount(el(amt[1], 2))
        expected = total - cas_total(other) - line_adjustments.get(payer_id, _ZERO)
        if paid is not None and payer_id in line_adjustments and paid != expected:
            out.append(at(amt, "snip3.cob_payer_paid", Snip.BALANCING,
                          "AMT*D does not equal CLM02 less this payer's claim and line "
                          "adjustments", 2))
    return out


def remittance(root: Loop) -> list[Finding]:
    out: list[Finding] = []
    paid_sum = _ZERO
    for header in root.loops("2000"):
        for claim in header.children:
            clp = claim.segs[0]
            charge, paid = _amount(el(clp[1], 3)), _amount(el(clp[1], 4))
            adjustments = cas_total(claim)
            for service in claim.children:
                svc = service.segs[0]
                s_cas = cas_total(service)
                adjustments += s_cas
                s_charge, s_paid = _amount(el(svc[1], 2)), _amount(el(svc[1], 3))
                if s_charge is not None and s_paid is not None and s_charge - s_cas != s_paid:
                    out.append(at(svc, "snip3.service_payment", Snip.BALANCING,
                                  "SVC02 less the service adjustments does not equal SVC03", 3))
            if charge is not None and paid is not None and charge - adjustments != paid:
                out.append(at(clp, "snip3.claim_payment", Snip.BALANCING,
                              "CLP03 less the claim and service adjustments does not equal CLP04",
                              4))
            paid_sum += paid or _ZERO
    plb_sum = _ZERO
    for seg in root.segs:
        if seg[0].id == "PLB":
            for i in range(4, min(len(seg[1]), 15), 2):
                plb_sum += _amount(seg[1][i]) or _ZERO
    bpr = root.seg("BPR")
    total = _amount(el(bpr[1], 2)) if bpr else None
    if bpr is not None and total is not None and paid_sum - plb_sum != total:
        out.append(at(bpr, "snip3.payment_total", Snip.BALANCING,
                      "the sum of CLP04 less the provider adjustments does not equal BPR02", 2))
    return out
