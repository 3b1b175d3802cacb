"""837 loop tree to ``ClaimTransaction`` (professional, institutional and dental)."""

from __future__ import annotations

from typing import Final

from edimesh.validation.extract.common import (
    PAD,
    date_range,
    loop_party,
    money,
    opt,
    opt_money,
    party,
    reference,
    to_date,
)
from edimesh.validation.models.base import Party
from edimesh.validation.models.claim import (
    BillingProvider,
    Claim,
    ClaimTransaction,
    HealthCode,
    OtherPayer,
    Patient,
    ServiceLine,
    Subscriber,
)
from edimesh.validation.models.construct import trusted
from edimesh.validation.tree import Loop, el

_ICD10: Final = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN"})
_DIAGNOSIS: Final = frozenset({"ABK", "BK", "ABF", "BF"})
_NO_DATES: Final = (None, None)
_PROVIDERS: Final = {"82": "rendering_provider", "71": "attending_provider",
              "DN": "referring_provider", "P3": "referring_provider", "77": "service_facility"}


def extract(root: Loop, kind: str, guide: str, comp: str, rep: str) -> ClaimTransaction:
    bht = root.first("BHT")
    submitter = receiver = None
    providers = []
    for child in root.children:
        loop_id = child.spec.id
        if loop_id == "1000A":
            submitter = loop_party(child)
        elif loop_id == "1000B":
            receiver = loop_party(child)
        elif loop_id == "2000A":
            providers.append(_billing(child, comp))
    empty = party(None)
    return trusted(ClaimTransaction, {
        "kind": kind,
        "guide": guide,
        "purpose": el(bht, 2),
        "reference": el(bht, 3),
        "created": to_date(el(bht, 4)),
        "claim_or_encounter": opt(el(bht, 6)),
        "submitter": submitter or empty,
        "receiver": receiver or empty,
        "billing_providers": tuple(providers),
    })


def _billing(loop: Loop, comp: str) -> BillingProvider:
    provider = pay_to = None
    claims: list[Claim] = []
    tax_id = None
    for child in loop.children:
        if child.spec.id == "2010AA":
            provider = loop_party(child)
            for node, els, _ in child.segs:
                if node.id == "REF" and el(els, 1) in ("EI", "SY"):
                    tax_id = el(els, 2)
        elif child.spec.id == "2010AB":
            pay_to = loop_party(child)
        elif child.spec.id == "2000B":
            claims += _subscriber_claims(child, comp)
    prv = loop.first("PRV*BI")
    return trusted(BillingProvider, {
        "provider": provider or party(None),
        "taxonomy": opt(el(prv, 3)),
        "tax_id": tax_id,
        "pay_to": pay_to,
        "claims": tuple(claims),
    })


def _subscriber_claims(loop: Loop, comp: str) -> list[Claim]:
    sbr = PAD
    for _, els, _ in loop.segs:
        if els[0] == "SBR":
            sbr = els if len(els) > 9 else els + PAD
            break
    sub_party = payer = None
    dmg = PAD
    for child in loop.children:
        child_id = child.spec.id
        if child_id == "2010BA":
            sub_party = loop_party(child)
            for _, els, _ in child.segs:
                if els[0] == "DMG":
                    dmg = els if len(els) > 3 else els + PAD
                    break
        elif child_id == "2010BB":
            payer = loop_party(child)
    subscriber = trusted(Subscriber, {
        "party": sub_party or party(None),
        "payer_responsibility": sbr[1],
        "relationship": sbr[2] or None,
        "group_number": sbr[3] or None,
        "group_name": sbr[4] or None,
        "claim_filing_indicator": sbr[9] or None,
        "birth_date": to_date(dmg[2]),
        "gender": dmg[3] or None,
    })
    payer = payer or party(None)
    claims = []
    for child in loop.children:
        if child.spec.id == "2300":
            claims.append(_claim(child, subscriber, None, payer, comp))
        elif child.spec.id == "2000C":
            pat = child.first("PAT")
            name = child.loop("2010CA")
            pdmg = name.first("DMG") if name else None
            patient = trusted(Patient, {
                "party": loop_party(name) or party(None),
                "relationship": el(pat, 1),
                "birth_date": to_date(el(pdmg, 2)),
                "gender": opt(el(pdmg, 3)),
            })
            claims += [_claim(c, subscriber, patient, payer, comp) for c in child.loops("2300")]
    return claims


def _claim(loop: Loop, subscriber: Subscriber, patient: Patient | None, payer: Party,
           comp: str) -> Claim:
    clm: list[str] = loop.segs[0][1]
    if len(clm) < 12:
        clm = clm + PAD
    facility = clm[5].split(comp)
    causes = clm[11].split(comp) if clm[11] else []
    diagnoses: list[str] = []
    system = None
    other: list[HealthCode] = []
    refs = []
    dates = {}
    cl1 = None
    paid = None
    for _, els, _ in loop.segs[1:]:
        seg_id = els[0]
        if seg_id == "HI":
            for composite in els[1:]:
                parts = composite.split(comp)
                qual = parts[0]
                if qual in _DIAGNOSIS:
                    diagnoses.append(parts[1] if len(parts) > 1 else "")
                    system = system or ("ICD-10-CM" if qual in _ICD10 else "ICD-9-CM")
                elif qual:
                    other.append(trusted(HealthCode, {
                        "qualifier": qual, "code": el(parts, 1), "date": opt(el(parts, 3)),
                        "amount": opt_money(el(parts, 4)),
                    }))
        elif seg_id == "DTP":
            dates[el(els, 1)] = (date_range(els[2], els[3]) if len(els) > 3
                                 else date_range(el(els, 2), ""))
        elif seg_id == "REF":
            refs.append(reference(els))
        elif seg_id == "CL1":
            cl1 = els
        elif seg_id == "AMT" and el(els, 1) in ("F5", "F3"):
            paid = opt_money(el(els, 2))
    statement = dates.get("434", _NO_DATES) if dates else _NO_DATES
    values = {
        "claim_id": clm[1],  # clm is padded
        "total_charge": money(clm[2]),
        "facility_code": facility[0] or None,
        "frequency_code": (facility[2] or None) if len(facility) > 2 else None,
        "provider_signature": clm[6] or None,
        "assignment": clm[7] or None,
        "benefits_assignment": clm[8] or None,
        "release_of_information": clm[9] or None,
        "related_causes": tuple(c for c in causes[:2] if c),
        "accident_state": opt(el(causes, 3)),
        "diagnosis_code_system": system,
        "diagnoses": tuple(diagnoses),
        "other_codes": tuple(other),
        "statement_from": statement[0],
        "statement_to": statement[1],
        "onset_date": dates.get("431", _NO_DATES)[0] if dates else None,
        "accident_date": dates.get("439", _NO_DATES)[0] if dates else None,
        "admission_type": None if cl1 is None else opt(el(cl1, 1)),
        "patient_status": None if cl1 is None else opt(el(cl1, 3)),
        "patient_paid": paid,
        "references": tuple(refs),
        "subscriber": subscriber,
        "patient": patient,
        "payer": payer,
        "rendering_provider": None,
        "attending_provider": None,
        "referring_provider": None,
        "service_facility": None,
        "other_payers": (),
        "lines": (),
    }
    others = []
    lines = []
    for child in loop.children:
        loop_id = child.spec.id
        if loop_id == "2400":
            lines.append(_line(child, comp))
        elif loop_id == "2320":
            others.append(_other_payer(child))
        else:
            field = _PROVIDERS.get(el(child.segs[0][1], 1))
            if field is not None and values[field] is None:
                values[field] = loop_party(child)
    if others:
        values["other_payers"] = tuple(others)
    values["lines"] = tuple(lines)
    return trusted(Claim, values)


def _other_payer(loop: Loop) -> OtherPayer:
    sbr = loop.segs[0][1]
    paid = None
    for node, els, _ in loop.segs:
        if node.name == "AMT*D":
            paid = opt_money(el(els, 2))
    return trusted(OtherPayer, {
        "payer_responsibility": el(sbr, 1),
        "filing_indicator": opt(el(sbr, 9)),
        "payer": loop_party(loop.loop("2330B")),
        "paid_amount": paid,
    })


def _line(loop: Loop, comp: str) -> ServiceLine:
    segs = loop.segs
    lx = segs[0][1]
    number = lx[1] if len(lx) > 1 else ""
    proc: list[str] = []
    revenue = pos = unit = None
    charge = quantity = None
    pointers: tuple[int, ...] = ()
    start = end = None
    teeth = []
    control = None
    for k in range(1, len(segs)):
        node, els, _ = segs[k]
        seg_id = els[0]
        if seg_id == "SV1":
            e = els if len(els) > 7 else els + PAD
            proc = e[1].split(comp)
            charge, unit, quantity = money(e[2]), e[3] or None, opt_money(e[4])
            pos = e[5] or None
            pointers = _POINTERS.get(e[7] + comp) or _pointers(e[7], comp)
        elif seg_id == "DTP":
            if len(els) > 1 and els[1] == "472":
                start, end = date_range(els[2], els[3]) if len(els) > 3 else (None, None)
        elif seg_id == "SV2":
            e = els + PAD
            revenue = e[1] or None
            proc = e[2].split(comp) if e[2] else []
            charge, unit, quantity = money(e[3]), e[4] or None, opt_money(e[5])
        elif seg_id == "SV3":
            e = els + PAD
            proc = e[1].split(comp)
            charge, pos = money(e[2]), e[3] or None
            quantity = opt_money(e[6])
            pointers = _pointers(e[11], comp)
        elif seg_id == "TOO":
            teeth.append(el(els, 2))
        elif node.name == "REF*6R":
            control = opt(el(els, 2))
    rendering = None
    for child in loop.children:
        head = child.segs[0][1]
        if rendering is None and head[0] == "NM1" and el(head, 1) == "82":
            rendering = loop_party(child)
    n = len(proc)
    return trusted(ServiceLine, {
        "number": int(number) if number.isdigit() else 0,
        "procedure_qualifier": proc[0] or None if n else None,
        "procedure_code": proc[1] or None if n > 1 else None,
        "modifiers": tuple([m for m in proc[2:6] if m]) if n > 2 else (),
        "revenue_code": revenue,
        "charge": charge if charge is not None else money(""),
        "unit": unit,
        "quantity": quantity,
        "place_of_service": pos,
        "diagnosis_pointers": pointers,
        "service_date": start,
        "service_date_end": end,
        "teeth": tuple(teeth) if teeth else (),
        "control_number": control,
        "rendering_provider": rendering,
    })


_POINTERS: Final[dict[str, tuple[int, ...]]] = {}


def _pointers(value: str, comp: str) -> tuple[int, ...]:
    got = _POINTERS.get(value + comp)
    if got is None:
        got = tuple(int(p) for p in value.split(comp) if p.isdigit()) if value else ()
        if len(_POINTERS) < 4096:  # few distinct pointer lists exist; bound the memo anyway
            _POINTERS[value + comp] = got
    return got
