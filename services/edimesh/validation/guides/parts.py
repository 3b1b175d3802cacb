"""Building blocks that several guides share: addresses, contacts, references, dates.

Each returns a ``SegmentUse``; the guide modules put them in order. Code lists live in
``codes.py`` so that one list serves every guide that uses it.
"""

from __future__ import annotations

from edimesh.validation.guides import codes as c
from edimesh.validation.spec.format import SegmentUse, seg

# N4: when no country code is sent the address is in the US or Canada: state and ZIP are
# required then (the guides' situational notes on N402 and N403).
N4_RULES = ("!04 -> 02", "!04 -> 03", "04 -> !02")


def n3(usage: str = "R") -> SegmentUse:
    return seg("N3", usage, 1, "", "R S")


def n4(usage: str = "R") -> SegmentUse:
    return seg("N4", usage, 1, "", "R S:@STATE S:@ZIP S:@COUNTRY N N S", rules=N4_RULES)


def per(usage: str, max_use: int | str, quals: str = "IC", *, name_usage: str = "S") -> SegmentUse:
    comm = f"R:{c.COMM} R S:{c.COMM_EXT} S S:{c.COMM_EXT} S"
    return seg("PER", usage, max_use, quals, f"R:{quals} {name_usage} {comm}")


def ref(quals: str, usage: str = "S", max_use: int | str = 1, *,
        name: str | None = None) -> SegmentUse:
    return seg("REF", usage, max_use, quals, f"R:{quals} R", name=name)


def dtp(quals: str, usage: str = "S", formats: str = "D8", max_use: int = 1) -> SegmentUse:
    return seg("DTP", usage, max_use, quals, f"R:{quals} R:{formats} R=D")


def dtm(quals: str, usage: str = "S", max_use: int = 1) -> SegmentUse:
    return seg("DTM", usage, max_use, quals, f"R:{quals} R")


def amt(quals: str, usage: str = "S", max_use: int = 1) -> SegmentUse:
    return seg("AMT", usage, max_use, quals, f"R:{quals} R")


def dmg(usage: str = "S", gender: str = "R") -> SegmentUse:
    return seg("DMG", usage, 1, "", f"R:D8 R=D {gender}:{c.GENDER}")


def provider_name(quals: str, usage: str, max_use: int, entity: str = "1,2") -> SegmentUse:
    """NM1 of a provider identified by NPI (NM108 XX) when it has one."""
    person = "S S N S" if "1" in entity else "N N N N"
    return seg(
        "NM1", usage, max_use, quals, f"R:{quals} R:{entity} R {person} S:XX S:@NPI",
        rules=("08 -> 09", "09 -> 08"),
    )


def location_name(quals: str, usage: str = "R") -> SegmentUse:
    """NM1 of a place (ambulance pick-up, drop-off): entity 2, a name at most."""
    return seg("NM1", usage, 1, quals, f"R:{quals} R:2 S")


def prv(quals: str, usage: str = "S") -> SegmentUse:
    return seg("PRV", usage, 1, quals, f"R:{quals} R:PXC R:@TAXONOMY")
