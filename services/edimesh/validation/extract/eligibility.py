"""270/271 loop tree to ``EligibilityTransaction``."""

from __future__ import annotations

from edimesh.validation.extract.common import (
    loop_party,
    opt,
    opt_money,
    party,
    reference,
    to_date,
)
from edimesh.validation.models.construct import trusted
from edimesh.validation.models.eligibility import (
    Benefit,
    EligibilityTransaction,
    Inquiry,
    Member,
    Receiver,
    Rejection,
    Source,
)
from edimesh.validation.tree import Loop, el


def extract(root: Loop, kind: str, guide: str, comp: str, rep: str) -> EligibilityTransaction:
    bht = root.first("BHT")
    sources = [_source(c, comp, rep) for c in root.loops("2000A")]
    return trusted(EligibilityTransaction, {
        "kind": kind,
        "guide": guide,
        "purpose": el(bht, 2),
        "reference": opt(el(bht, 3)),
        "created": to_date(el(bht, 4)),
        "sources": tuple(sources),
    })


def _rejections(loop: Loop | None) -> tuple[Rejection, ...]:
    if loop is None:
        return ()
    return tuple(
        trusted(Rejection, {"valid": el(els, 1), "reason": el(els, 3),
                            "follow_up": opt(el(els, 4))})
        for node, els, _ in loop.segs if node.id == "AAA"
    )


def _source(loop: Loop, comp: str, rep: str) -> Source:
    name = loop.loop("2100A")
    return trusted(Source, {
        "party": loop_party(name) or party(None),
        "rejections": _rejections(loop) + _rejections(name),
        "receivers": tuple(_receiver(c, comp, rep) for c in loop.loops("2000B")),
    })


def _receiver(loop: Loop, comp: str, rep: str) -> Receiver:
    name = loop.loop("2100B")
    return trusted(Receiver, {
        "party": loop_party(name) or party(None),
        "rejections": _rejections(name),
        "subscribers": tuple(_member(c, comp, rep) for c in loop.loops("2000C")),
    })


def _member(loop: Loop, comp: str, rep: str) -> Member:
    level = loop.id[-1]
    name = loop.loop(f"2100{level}")
    dmg = ins = None
    refs = []
    inquiries: list[Inquiry] = []
    benefits: list[Benefit] = []
    if name is not None:
        for node, els, _ in name.segs:
            seg_id = node.id
            if seg_id == "DMG":
                dmg = els
            elif seg_id == "INS":
                ins = els
            elif seg_id == "REF":
                refs.append(reference(els))
        for child in name.children:
            if child.id.startswith("2110"):
                head = child.segs[0][1]
                if head[0] == "EQ":
                    inquiries.append(_inquiry(head, comp, rep))
                else:
                    benefits.append(_benefit(child, comp, rep))
    return trusted(Member, {
        "party": loop_party(name) or party(None),
        "trace_numbers": tuple(el(els, 2) for node, els, _ in loop.segs if node.id == "TRN"),
        "references": tuple(refs),
        "birth_date": to_date(el(dmg, 2)),
        "gender": opt(el(dmg, 3)),
        "relationship": opt(el(ins, 2)),
        "rejections": _rejections(name),
        "inquiries": tuple(inquiries),
        "benefits": tuple(benefits),
        "dependents": tuple(_member(c, comp, rep) for c in loop.loops("2000D")),
    })


def _split(value: str, sep: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(sep) if v) if value and sep else ((value,) if value else ())


def _inquiry(eq: list[str], comp: str, rep: str) -> Inquiry:
    proc = el(eq, 2).split(comp) if el(eq, 2) else []
    return trusted(Inquiry, {
        "service_types": _split(el(eq, 1), rep),
        "procedure_qualifier": opt(el(proc, 0)),
        "procedure_code": opt(el(proc, 1)),
        "coverage_level": opt(el(eq, 3)),
    })


def _benefit(loop: Loop, comp: str, rep: str) -> Benefit:
    eb = loop.segs[0][1]
    entities = tuple(loop_party(c) or party(None) for c in loop.children
                     if c.segs[0][0].id == "NM1")
    return trusted(Benefit, {
        "code": el(eb, 1),
        "coverage_level": opt(el(eb, 2)),
        "service_types": _split(el(eb, 3), rep),
        "insurance_type": opt(el(eb, 4)),
        "plan_description": opt(el(eb, 5)),
        "time_period": opt(el(eb, 6)),
        "amount": opt_money(el(eb, 7)),
        "percent": opt_money(el(eb, 8)),
        "quantity_qualifier": opt(el(eb, 9)),
        "quantity": opt_money(el(eb, 10)),
        "authorization_required": opt(el(eb, 11)),
        "in_network": opt(el(eb, 12)),
        "messages": tuple(el(els, 1) for node, els, _ in loop.segs if node.id == "MSG"),
        "related_entities": entities,
    })
