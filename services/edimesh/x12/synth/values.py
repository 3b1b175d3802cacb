"""The content of synthetic claims: fixed code lists and seeded random values.

Everything here is fictional. SSNs use the never-issued 9xx area; NPIs carry a valid check
digit but are random; names and addresses come from short fixed lists.

PHI in canary mode: see `canary.py`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

LAST_NAMES = (
    "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ",
    "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "TAYLOR",
    "MOORE", "JACKSON", "MARTIN", "LEE", "PEREZ", "THOMPSON", "WHITE", "HARRIS", "SANCHEZ",
    "CLARK", "RAMIREZ", "LEWIS", "ROBINSON", "WALKER", "YOUNG", "ALLEN", "KING", "WRIGHT",
    "SCOTT", "TORRES", "NGUYEN", "HILL", "FLORES",
)  # fmt: skip
FEMALE_NAMES = (
    "MARY", "PATRICIA", "JENNIFER", "LINDA", "ELIZABETH", "BARBARA", "SUSAN", "JESSICA",
    "SARAH", "KAREN", "LISA", "NANCY", "BETTY", "MARGARET", "SANDRA", "ASHLEY", "EMILY",
    "DONNA", "MICHELLE", "CAROL",
)  # fmt: skip
MALE_NAMES = (
    "JAMES", "ROBERT", "JOHN", "MICHAEL", "DAVID", "WILLIAM", "RICHARD", "JOSEPH", "THOMAS",
    "CHARLES", "CHRISTOPHER", "DANIEL", "MATTHEW", "ANTHONY", "MARK", "DONALD", "STEVEN",
    "PAUL", "ANDREW", "JOSHUA",
)  # fmt: skip
STREETS = (
    "MAIN ST", "OAK AVE", "PINE ST", "MAPLE DR", "CEDAR LN", "ELM ST", "WASHINGTON BLVD",
    "LAKE VIEW RD", "HILLSIDE AVE", "PARK PL", "SUNSET DR", "RIVER RD", "CHURCH ST",
    "HIGHLAND AVE", "FOREST DR", "MILL ST", "SPRING ST", "MEADOW LN", "BROADWAY", "2ND AVE",
)  # fmt: skip
# City, state, 5-digit ZIP: real combinations so N4 passes state/ZIP-prefix checks.
CITIES = (
    ("MIAMI", "FL", "33111"), ("ORLANDO", "FL", "32801"), ("ATLANTA", "GA", "30303"),
    ("DENVER", "CO", "80202"), ("BOULDER", "CO", "80302"), ("AUSTIN", "TX", "78701"),
    ("DALLAS", "TX", "75201"), ("PHOENIX", "AZ", "85004"), ("SEATTLE", "WA", "98101"),
    ("PORTLAND", "OR", "97204"), ("CHICAGO", "IL", "60601"), ("COLUMBUS", "OH", "43215"),
    ("NASHVILLE", "TN", "37203"), ("BOSTON", "MA", "02108"), ("ALBANY", "NY", "12207"),
    ("NEWARK", "NJ", "07102"), ("RALEIGH", "NC", "27601"), ("RICHMOND", "VA", "23219"),
    ("MADISON", "WI", "53703"), ("SACRAMENTO", "CA", "95814"),
)  # fmt: skip
# Payer name, payer id, SBR09 claim filing indicator.
PAYERS = (
    ("KEY INSURANCE COMPANY", "99999", "CI"), ("BLUE RIVER HEALTH PLAN", "87726", "BL"),
    ("SUMMIT MUTUAL HEALTH", "60054", "CI"), ("MEDICARE PART B", "04412", "MB"),
    ("STATE MEDICAID PROGRAM", "77027", "MC"), ("HARBOR HMO", "95567", "HM"),
)  # fmt: skip
# Billing provider organisation name, taxonomy (PRV03).
PROVIDERS = (
    ("BEN KILDARE SERVICE", "207Q00000X"), ("LAKESIDE FAMILY MEDICINE", "207Q00000X"),
    ("NORTH VALLEY INTERNAL MEDICINE", "207R00000X"), ("SUNRISE PEDIATRICS", "208000000X"),
    ("CITY URGENT CARE", "261QU0200X"), ("RIVERBEND ORTHOPEDICS", "207X00000X"),
    ("PINE RIDGE CARDIOLOGY", "207RC0000X"), ("MOUNTAIN PHYSICAL THERAPY", "225100000X"),
)  # fmt: skip
# ICD-10-CM in the X12 no-dot form, all billable as of FY2024.
DIAGNOSES = (
    "J069", "E119", "I10", "M5450", "Z0000", "R051", "E785", "J029", "N390", "K219", "F419",
    "M25561", "Z23", "R509", "J209",
)  # fmt: skip
# CPT/HCPCS code, modifiers, unit charge in cents, max units.
PROCEDURES: tuple[tuple[str, tuple[str, ...], int, int], ...] = (
    ("99213", (), 12500, 1), ("99214", (), 18500, 1), ("99203", (), 16000, 1),
    ("99204", (), 24500, 1), ("99395", (), 21000, 1), ("99213", ("25",), 12500, 1),
    ("36415", (), 1500, 1), ("80053", (), 4500, 1), ("85025", (), 3250, 1),
    ("81002", (), 1200, 1), ("87880", ("QW",), 2875, 1), ("90471", (), 2500, 2),
    ("90686", (), 3599, 1), ("93000", (), 6000, 1), ("71046", ("26",), 9550, 1),
    ("97110", ("GP",), 7525, 4), ("20610", ("RT",), 22000, 1), ("20610", ("LT",), 22000, 1),
)  # fmt: skip


def luhn_check_digit(payload: str) -> int:
    """Luhn check digit to append to `payload` (digits)."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = ord(ch) - 48
        if i % 2 == 0:  # the rightmost payload digit is doubled once the check digit follows
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def npi_check_digit(first9: str) -> int:
    """NPI check digit: Luhn over the card-issuer prefix 80840 and the first nine digits."""
    return luhn_check_digit("80840" + first9)


def is_valid_npi(npi: str) -> bool:
    return len(npi) == 10 and npi.isdigit() and npi_check_digit(npi[:9]) == int(npi[9])


def make_npi(rng: random.Random) -> str:
    first9 = str(rng.choice("12")) + "".join(str(rng.randrange(10)) for _ in range(8))
    return first9 + str(npi_check_digit(first9))


def break_npi(npi: str) -> str:
    """The same NPI with a wrong check digit."""
    return npi[:9] + str((int(npi[9]) + 5) % 10)


@dataclass(frozen=True, slots=True)
class Person:
    last: str
    first: str
    address: str
    city: str
    state: str
    zip: str
    birth: str  # CCYYMMDD
    gender: str  # F | M


@dataclass(frozen=True, slots=True)
class Line:
    code: str
    modifiers: tuple[str, ...]
    charge_cents: int  # SV102: unit charge x units
    units: int
    pointers: tuple[int, ...]  # 1-based into the claim's diagnoses
    service_date: str


@dataclass(frozen=True, slots=True)
class ClaimValues:
    """One claim's content. `pcn` is empty in pool entries: it is set per claim."""

    subscriber: Person
    member_id: str
    ssn: str | None
    group_number: str
    payer: int  # index into PAYERS
    patient: Person | None  # a 2000C loop when set
    relationship: str  # PAT01 when `patient` is set
    diagnoses: tuple[str, ...]
    onset_date: str | None
    lines: tuple[Line, ...]
    pcn: str = ""

    @property
    def total_cents(self) -> int:
        return sum(line.charge_cents for line in self.lines)


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    taxonomy: str
    npi: str
    address: str
    city: str
    state: str
    zip: str
    tax_id: str


def ymd(d: date) -> str:
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def _person(rng: random.Random, born: tuple[int, int], last: str | None = None) -> Person:
    gender = rng.choice("FM")
    city, state, zip5 = rng.choice(CITIES)
    birth = date(born[0], 1, 1) + timedelta(days=rng.randrange((born[1] - born[0]) * 365))
    return Person(
        last=last or rng.choice(LAST_NAMES),
        first=rng.choice(FEMALE_NAMES if gender == "F" else MALE_NAMES),
        address=f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}",
        city=city,
        state=state,
        zip=zip5 + (f"{rng.randrange(10000):04d}" if rng.random() < 0.5 else ""),
        birth=ymd(birth),
        gender=gender,
    )


def make_claim(rng: random.Random, lines: tuple[int, int], service_end: date) -> ClaimValues:
    """Random claim content; about one claim in four has a separate patient (2000C)."""
    sub = _person(rng, (1940, 2004))
    patient = _person(rng, (2008, 2022), last=sub.last) if rng.random() < 0.25 else None
    service = service_end - timedelta(days=rng.randrange(1, 90))
    dx = tuple(rng.sample(DIAGNOSES, rng.randint(1, 4)))
    n = rng.randint(*lines)
    # Distinct procedures where possible, as a real claim would bill them.
    picks = rng.sample(PROCEDURES, min(n, len(PROCEDURES))) + rng.choices(
        PROCEDURES, k=max(0, n - len(PROCEDURES))
    )
    out: list[Line] = []
    for code, mods, unit_cents, max_units in picks:
        units = rng.randint(1, max_units)
        pointers = tuple(sorted(rng.sample(range(1, len(dx) + 1), rng.randint(1, len(dx)))))
        out.append(Line(code, mods, unit_cents * units, units, pointers, ymd(service)))
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
    return ClaimValues(
        subscriber=sub,
        member_id=f"{letters}{rng.randrange(10**9):09d}",
        ssn=f"9{rng.randrange(10**8):08d}" if rng.random() < 0.3 else None,
        group_number=f"GRP{rng.randrange(10**5):05d}",
        payer=rng.randrange(len(PAYERS)),
        patient=patient,
        relationship=rng.choice(("19", "01")) if patient else "",
        diagnoses=dx,
        onset_date=ymd(service - timedelta(days=rng.randrange(1, 20)))
        if rng.random() < 0.3
        else None,
        lines=tuple(out),
    )


def make_provider(rng: random.Random, index: int) -> Provider:
    name, taxonomy = PROVIDERS[index % len(PROVIDERS)]
    city, state, zip5 = rng.choice(CITIES)
    return Provider(
        name=name,
        taxonomy=taxonomy,
        npi=make_npi(rng),
        address=f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}",
        city=city,
        state=state,
        zip=zip5 + f"{rng.randrange(10000):04d}",
        tax_id=f"{rng.randrange(10**8, 10**9)}",
    )
