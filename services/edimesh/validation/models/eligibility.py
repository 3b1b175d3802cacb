"""270 eligibility inquiries and 271 responses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from edimesh.validation.models.base import Content, Party, Reference


class Rejection(Content):
    """AAA: the request could not be answered at this level."""

    valid: str  # AAA01
    reason: str  # AAA03
    follow_up: str | None  # AAA04


class Inquiry(Content):
    """EQ: what a 270 asks about."""

    service_types: tuple[str, ...]
    procedure_qualifier: str | None
    procedure_code: str | None
    coverage_level: str | None


class Benefit(Content):
    """EB: one eligibility or benefit fact of a 271."""

    code: str  # EB01
    coverage_level: str | None
    service_types: tuple[str, ...]
    insurance_type: str | None
    plan_description: str | None
    time_period: str | None
    amount: Decimal | None
    percent: Decimal | None
    quantity_qualifier: str | None
    quantity: Decimal | None
    authorization_required: str | None
    in_network: str | None
    messages: tuple[str, ...]
    related_entities: tuple[Party, ...]


class Member(Content):
    """A subscriber (2000C) or dependent (2000D)."""

    party: Party
    trace_numbers: tuple[str, ...]  # TRN02
    references: tuple[Reference, ...]
    birth_date: date | None
    gender: str | None
    relationship: str | None  # INS02
    rejections: tuple[Rejection, ...]
    inquiries: tuple[Inquiry, ...]
    benefits: tuple[Benefit, ...]
    dependents: tuple[Member, ...]


class Receiver(Content):
    party: Party
    rejections: tuple[Rejection, ...]
    subscribers: tuple[Member, ...]


class Source(Content):
    party: Party
    rejections: tuple[Rejection, ...]
    receivers: tuple[Receiver, ...]


class EligibilityTransaction(Content):
    """One 270 or 271 transaction set."""

    kind: str  # 270 or 271
    guide: str
    purpose: str  # BHT02
    reference: str | None  # BHT03
    created: date | None
    sources: tuple[Source, ...]
