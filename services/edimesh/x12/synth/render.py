"""Values to bytes: segments rendered once per delimiter set, claims pre-rendered as templates.

Speed comes from rendering each pool claim once; per claim the generator only formats the
HL numbers and CLM01 around pre-built bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from edimesh.x12.synth.options import SynthOptions
from edimesh.x12.synth.values import PAYERS, ClaimValues, Provider

VERSION = "005010X222A1"


def money(cents: int) -> str:
    """X12 R value with two decimals, the form most 837 senders use (e.g. 125.50)."""
    return f"{cents // 100}.{cents % 100:02d}"


@dataclass(frozen=True, slots=True)
class Syntax:
    """Delimiters; `end` is the segment terminator plus the optional line break."""

    element: str
    component: str
    repetition: str
    end: str

    @classmethod
    def of(cls, o: SynthOptions) -> Syntax:
        return cls(o.element_sep, o.component_sep, o.repetition_sep, o.segment_term + o.newline)

    def seg(self, *elements: str) -> bytes:
        return (self.element.join(elements) + self.end).encode("ascii")

    def comp(self, *parts: str) -> str:
        return self.component.join(parts)

    def fmt(self, *elements: str) -> bytes:
        """A bytes %-format for a segment; delimiters are escaped so '%' may be one."""
        e = self.element.replace("%", "%%")
        return (e.join(elements) + self.end.replace("%", "%%")).encode("ascii")


@dataclass(frozen=True, slots=True)
class ClaimTemplate:
    """A claim minus its HL numbers and CLM01."""

    values: ClaimValues
    sub: bytes  # 2000B after its HL: SBR .. 2010BB
    pat: bytes  # 2000C after its HL: PAT .. DMG; empty without a patient
    tail: bytes  # CLM from the separator after CLM01 to the end of the last 2400
    segments: int  # all segments of the claim, HLs and CLM included


def render_claim(v: ClaimValues, s: Syntax, extra_cents: int = 0) -> ClaimTemplate:
    """`extra_cents` != 0 unbalances CLM02 against the service lines."""
    sub_p, pat_p = v.subscriber, v.patient
    payer_name, payer_id, filing = PAYERS[v.payer]
    sub = [
        s.seg("SBR", "P", "" if pat_p else "18", v.group_number, "", "", "", "", "", filing),
        s.seg("NM1", "IL", "1", sub_p.last, sub_p.first, "", "", "", "MI", v.member_id),
        s.seg("N3", sub_p.address),
        s.seg("N4", sub_p.city, sub_p.state, sub_p.zip),
        s.seg("DMG", "D8", sub_p.birth, sub_p.gender),
    ]
    if v.ssn:
        sub.append(s.seg("REF", "SY", v.ssn))
    sub.append(s.seg("NM1", "PR", "2", payer_name, "", "", "", "", "PI", payer_id))
    pat = []
    if pat_p:
        pat = [
            s.seg("PAT", v.relationship),
            s.seg("NM1", "QC", "1", pat_p.last, pat_p.first),
            s.seg("N3", pat_p.address),
            s.seg("N4", pat_p.city, pat_p.state, pat_p.zip),
            s.seg("DMG", "D8", pat_p.birth, pat_p.gender),
        ]
    total = money(v.total_cents + extra_cents)
    facility = s.comp("11", "B", "1")  # office, professional claim, original
    tail = [(s.element.join(("", total, "", "", facility, "Y", "A", "Y", "Y")) + s.end).encode()]
    if v.onset_date:
        tail.append(s.seg("DTP", "431", "D8", v.onset_date))
    hi = [s.comp("ABK" if i == 0 else "ABF", code) for i, code in enumerate(v.diagnoses)]
    tail.append(s.seg("HI", *hi))
    for n, line in enumerate(v.lines, 1):
        proc = s.comp("HC", line.code, *line.modifiers)
        ptr = s.comp(*(str(p) for p in line.pointers))
        tail += [
            s.seg("LX", str(n)),
            s.seg("SV1", proc, money(line.charge_cents), "UN", str(line.units), "", "", ptr),
            s.seg("DTP", "472", "D8", line.service_date),
        ]
    # HL + 2000B + (HL + 2000C) + tail, whose first piece is the CLM (after CLM01).
    segments = 1 + len(sub) + (1 + len(pat) if pat else 0) + len(tail)
    return ClaimTemplate(v, b"".join(sub), b"".join(pat), b"".join(tail), segments)


def render_header(o: SynthOptions, s: Syntax) -> bytes:
    """1000A submitter and 1000B receiver: the same for every set of the file."""
    return b"".join(
        (
            s.seg("NM1", "41", "2", "EDIMESH SYNTHETIC BILLING", "", "", "", "", "46", o.sender_id),
            s.seg("PER", "IC", "BILLING OFFICE", "TE", "5555550100"),
            s.seg("NM1", "40", "2", "EDIMESH SYNTHETIC PAYER", "", "", "", "", "46", o.receiver_id),
        )
    )


def render_provider(p: Provider, s: Syntax, npi: str | None = None) -> bytes:
    """2000A and 2010AA: HL*1, PRV, NM1*85 (NPI), N3, N4, REF*EI."""
    return b"".join(
        (
            s.seg("HL", "1", "", "20", "1"),
            s.seg("PRV", "BI", "PXC", p.taxonomy),
            s.seg("NM1", "85", "2", p.name, "", "", "", "", "XX", npi or p.npi),
            s.seg("N3", p.address),
            s.seg("N4", p.city, p.state, p.zip),
            s.seg("REF", "EI", p.tax_id),
        )
    )


HEADER_SEGMENTS = 11  # ST, BHT, NM1*41, PER, NM1*40, HL*1, PRV, NM1*85, N3, N4, REF*EI
