"""Canary PHI: unique, recognisable values so a test can prove none of them leaks.

Canary mode (`SynthOptions.canary = C`, claim index k, zero-padded to 6 digits as KKKKKK):

| field (loop, element)                      | value                                      |
|--------------------------------------------|--------------------------------------------|
| subscriber last / first name (2010BA NM1)  | C + "SL" + KKKKKK / C + "SF" + KKKKKK      |
| member id (2010BA NM109)                   | C + "MI" + KKKKKK                          |
| subscriber address line (2010BA N301)      | "1 " + C + "SA" + KKKKKK                   |
| subscriber city (2010BA N401)              | C + "SC" + KKKKKK                          |
| subscriber ZIP (2010BA N403)               | 9 digits: "0" + HH + 6-digit (2k)          |
| subscriber birth date (2010BA DMG02)       | 1800-01-01 + 2k days (a date in 1800-1899) |
| subscriber SSN (2010BA REF*SY)             | "9" + HH + KKKKKK (never-issued 9xx area)  |
| patient last / first name (2010CA NM1)     | C + "PL" + KKKKKK / C + "PF" + KKKKKK      |
| patient address line (2010CA N301)         | "1 " + C + "PA" + KKKKKK                   |
| patient city (2010CA N401)                 | C + "PC" + KKKKKK                          |
| patient ZIP (2010CA N403)                  | 9 digits: "0" + HH + 6-digit (2k + 1)      |
| patient birth date (2010CA DMG02)          | 1800-01-01 + 2k + 1 days                   |
| patient control number (2300 CLM01)        | C + "CL" + KKKKKK                          |
| ISA13 / GS06 / ST02 (and BHT03 = ST02)     | 9 digits from canary-derived bases, unless |
|                                            | `first_isa13` / `_gs06` / `_st02` are set  |

HH are digits of sha256(C); bases are also sha256(C)-derived (see `CanaryBases`). In canary
mode every claim carries a REF*SY. Not canary-built (not patient-identifying, or constrained
to code lists): states, genders, service and onset dates, group numbers, payer, provider,
submitter, receiver. `iter_phi` lists every PHI value actually written, so a test needs no
knowledge of this scheme.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, timedelta

from edimesh.x12.synth.values import ClaimValues, Person, ymd


@dataclass(frozen=True, slots=True)
class CanaryBases:
    """Numbers derived from the canary so that numeric PHI is recognisable too.

    The 9-digit kinds never collide: ZIPs < 10**8 <= ISA13 < 3*10**8 <= GS06 < 5*10**8 <=
    ST02 < 7*10**8, and SSNs >= 9*10**8 (each range has room for far more than
    MAX_CANARY_CLAIMS values).
    """

    ssn_area: int  # 00..99, after the leading 9
    zip_prefix: int  # 000..099
    isa13: int
    gs06: int
    st02: int

    @classmethod
    def of(cls, canary: str) -> CanaryBases:
        h = hashlib.sha256(canary.encode("ascii")).digest()

        def base(i: int) -> int:  # in [i * 2e8 - 1e8, i * 2e8 + 1e8 - 10**6)
            span = 199_000_000
            return (2 * i - 1) * 100_000_000 + int.from_bytes(h[4 * i : 4 * i + 4], "big") % span

        return cls(h[0] % 100, int.from_bytes(h[1:3], "big") % 100, base(1), base(2), base(3))


_CANARY_EPOCH = date(1800, 1, 1)


def canary_claim(base: ClaimValues, canary: str, bases: CanaryBases, k: int) -> ClaimValues:
    """`base` with every PHI value replaced by its canary form for claim `k`."""
    n = f"{k:06d}"

    def person(p: Person, tag: str, ordinal: int) -> Person:
        return replace(
            p,
            last=f"{canary}{tag}L{n}",
            first=f"{canary}{tag}F{n}",
            address=f"1 {canary}{tag}A{n}",
            city=f"{canary}{tag}C{n}",
            zip=f"{bases.zip_prefix:03d}{ordinal:06d}",
            birth=ymd(_CANARY_EPOCH + timedelta(days=ordinal)),
        )

    return replace(
        base,
        subscriber=person(base.subscriber, "S", 2 * k),
        member_id=f"{canary}MI{n}",
        ssn=f"9{bases.ssn_area:02d}{n}",
        patient=person(base.patient, "P", 2 * k + 1) if base.patient else None,
        pcn=f"{canary}CL{n}",
    )


@dataclass(frozen=True, slots=True)
class PhiValue:
    """One PHI value written to the file: `field` names the element (e.g. "2010BA.NM103")."""

    field: str
    value: str
    claim: int | None  # None for control numbers


def claim_phi(values: ClaimValues, k: int) -> list[PhiValue]:
    out: list[PhiValue] = []
    loops = [("2010BA", values.subscriber)]
    if values.patient:
        loops.append(("2010CA", values.patient))
    for loop, p in loops:
        out += [
            PhiValue(f"{loop}.NM103", p.last, k),
            PhiValue(f"{loop}.NM104", p.first, k),
            PhiValue(f"{loop}.N301", p.address, k),
            PhiValue(f"{loop}.N401", p.city, k),
            PhiValue(f"{loop}.N403", p.zip, k),
            PhiValue(f"{loop}.DMG02", p.birth, k),
        ]
    out.append(PhiValue("2010BA.NM109", values.member_id, k))
    if values.ssn:
        out.append(PhiValue("2010BA.REF02", values.ssn, k))
    out.append(PhiValue("2300.CLM01", values.pcn, k))
    return out
