"""835 loop tree to ``Remittance``."""

from __future__ import annotations

from typing import Final

from edimesh.validation.extract.common import (
    money,
    n1_party,
    opt,
    opt_money,
    party,
    reference,
    to_date,
)
from edimesh.validation.models.construct import trusted
from edimesh.validation.models.remit import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    Remittance,
    ServicePayment,
)
from edimesh.validation.tree import Loop, el

_PARTIES: Final = {"QC": "patient", "IL": "insured", "82": "rendering_provider"}


def adjustments(cas: list[str]) -> list[Adjustment]:
    """CAS: one group code, up to six reason / amount / quantity triples."""
    return [
        trusted(Adjustment, {"group": el(cas, 1), "reason": cas[i], "amount": money(el(cas, i + 1)),
                            "quantity": opt_money(el(cas, i + 2))})
        for i in range(2, min(len(cas), 20), 3) if cas[i]
    ]


def extract(root: Loop, kind: str, guide: str, comp: str, rep: str) -> Remittance:
    bpr = root.first("BPR") or []
    trn = root.first("TRN*1")
    dtm = root.first("DTM*405")
    payer = payee = None
    claims: list[ClaimPayment] = []
    for child in root.children:
        if child.id == "1000A":
            payer = n1_party(child.segs[0][1], child)
        elif child.id == "1000B":
            payee = n1_party(child.segs[0][1], child)
        elif child.id == "2000":
            lx = el(child.segs[0][1], 1)
            claims += [_claim(c, lx, comp) for c in child.children]
    plb = [a for node, els, _ in root.segs if node.id == "PLB"
           for a in _provider_adjustments(els, comp)]
    return trusted(Remittance, {
        "kind": kind,
        "guide": guide,
        "handling": el(bpr, 1),
        "total_paid": money(el(bpr, 2)),
        "credit_debit": el(bpr, 3),
        "payment_method": el(bpr, 4),
        "payment_date": to_date(el(bpr, 16)),
        "trace_number": el(trn, 2),
        "payer_trace_id": opt(el(trn, 3)),
        "production_date": to_date(el(dtm, 2)),
        "payer": payer or party(None),
        "payee": payee or party(None),
        "claims": tuple(claims),
        "provider_adjustments": tuple(plb),
    })


def _provider_adjustments(plb: list[str], comp: str) -> list[ProviderAdjustment]:
    out = []
    for i in range(3, min(len(plb), 15), 2):
        if plb[i]:
            reason, _, ref = plb[i].partition(comp)
            out.append(trusted(ProviderAdjustment, {
                "provider_id": plb[1], "fiscal_period_end": to_date(el(plb, 2)),
                "reason": reason, "reference": opt(ref), "amount": money(el(plb, i + 1)),
            }))
    return out


def _claim(loop: Loop, lx: str, comp: str) -> ClaimPayment:
    clp = loop.segs[0][1]
    found: dict[str, object] = {"patient": None, "insured": None, "rendering_provider": None}
    adj: list[Adjustment] = []
    remarks: list[str] = []
    refs = []
    dates: dict[str, str] = {}
    for node, els, _ in loop.segs[1:]:
        seg_id = node.id
        if seg_id == "CAS":
            adj += adjustments(els)
        elif seg_id == "NM1":
            key = _PARTIES.get(el(els, 1))
            if key:
                found[key] = party(els)
        elif seg_id in ("MOA", "MIA"):
            spots = (3, 4, 5, 6, 7) if seg_id == "MOA" else (5, 20, 21, 22, 23)
            remarks += [els[i] for i in spots if i < len(els) and els[i]]
        elif seg_id == "REF":
            refs.append(reference(els))
        elif seg_id == "DTM":
            dates[el(els, 1)] = el(els, 2)
    return trusted(ClaimPayment, {
        "header_number": opt(lx),
        "claim_id": el(clp, 1),
        "status": el(clp, 2),
        "total_charge": money(el(clp, 3)),
        "paid": money(el(clp, 4)),
        "patient_responsibility": opt_money(el(clp, 5)),
        "filing_indicator": el(clp, 6),
        "payer_claim_control_number": opt(el(clp, 7)),
        "facility_code": opt(el(clp, 8)),
        "frequency_code": opt(el(clp, 9)),
        "drg_code": opt(el(clp, 11)),
        **found,
        "statement_from": to_date(dates.get("232", "")),
        "statement_to": to_date(dates.get("233", "")),
        "adjustments": tuple(adj),
        "remark_codes": tuple(remarks),
        "references": tuple(refs),
        "services": tuple(_service(s, comp) for s in loop.children),
    })


def _service(loop: Loop, comp: str) -> ServicePayment:
    svc = loop.segs[0][1]
    proc = el(svc, 1).split(comp)
    adj: list[Adjustment] = []
    remarks: list[str] = []
    dates: dict[str, str] = {}
    control = allowed = None
    for node, els, _ in loop.segs[1:]:
        seg_id = node.id
        if seg_id == "CAS":
            adj += adjustments(els)
        elif seg_id == "DTM":
            dates[el(els, 1)] = el(els, 2)
        elif seg_id == "LQ" and el(els, 1) == "HE":
            remarks.append(el(els, 2))
        elif node.name == "REF*6R":
            control = opt(el(els, 2))
        elif seg_id == "AMT" and el(els, 1) == "B6":
            allowed = opt_money(el(els, 2))
    start = dates.get("472") or dates.get("150", "")
    return trusted(ServicePayment, {
        "procedure_qualifier": opt(proc[0]),
        "procedure_code": opt(el(proc, 1)),
        "modifiers": tuple(m for m in proc[2:6] if m),
        "charge": money(el(svc, 2)),
        "paid": money(el(svc, 3)),
        "revenue_code": opt(el(svc, 4)),
        "units_paid": opt_money(el(svc, 5)),
        "service_date": to_date(start),
        "service_date_end": to_date(dates.get("151", "")),
        "adjustments": tuple(adj),
        "remark_codes": tuple(remarks),
        "control_number": control,
        "allowed_amount": allowed,
    })
