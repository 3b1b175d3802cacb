"""837 professional, institutional and dental claims."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from edimesh.validation.models.base import Content, Party, Reference


class Subscriber(Content):
    party: Party
    payer_responsibility: str  # SBR01: P primary, S secondary, T tertiary, ...
    relationship: str | None  # SBR02: 18 when the subscriber is the patient
    group_number: str | None
    group_name: str | None
    claim_filing_indicator: str | None  # SBR09
    birth_date: date | None
    gender: str | None


class Patient(Content):
    party: Party
    relationship: str  # PAT01
    birth_date: date | None
    gender: str | None


class HealthCode(Content):
    """An HI entry other than a diagnosis: procedure, occurrence, value, condition code."""

    qualifier: str  # C022-01, e.g. BBR, BH, BE, BG
    code: str
    date: str | None  # C022-04 as sent (a date or a range)
    amount: Decimal | None


class ServiceLine(Content):
    number: int  # LX01
    procedure_qualifier: str | None  # HC (HCPCS/CPT), AD (ADA), ...
    procedure_code: str | None
    modifiers: tuple[str, ...]
    revenue_code: str | None  # SV201 (institutional)
    charge: Decimal
    unit: str | None  # UN units, MJ minutes, DA days
    quantity: Decimal | None
    place_of_service: str | None
    diagnosis_pointers: tuple[int, ...]
    service_date: date | None
    service_date_end: date | None
    teeth: tuple[str, ...]  # TOO02 (dental)
    control_number: str | None  # REF*6R
    rendering_provider: Party | None


class OtherPayer(Content):
    """2320/2330B: another payer of the claim, and what it paid."""

    payer_responsibility: str
    filing_indicator: str | None
    payer: Party | None
    paid_amount: Decimal | None  # AMT*D


class Claim(Content):
    claim_id: str  # CLM01, the patient control number
    total_charge: Decimal  # CLM02
    facility_code: str | None  # CLM05-1: place of service (P, D) or facility type (I)
    frequency_code: str | None  # CLM05-3
    provider_signature: str | None
    assignment: str | None
    benefits_assignment: str | None
    release_of_information: str | None
    related_causes: tuple[str, ...]  # CLM11-1/-2: AA auto accident, EM employment, OA other
    accident_state: str | None
    diagnosis_code_system: str | None  # ICD-10-CM (ABK/ABF) or ICD-9-CM (BK/BF)
    diagnoses: tuple[str, ...]  # principal first
    other_codes: tuple[HealthCode, ...]
    statement_from: date | None  # 837I DTP*434
    statement_to: date | None
    onset_date: date | None  # DTP*431
    accident_date: date | None  # DTP*439
    admission_type: str | None  # CL101 (institutional)
    patient_status: str | None  # CL103
    patient_paid: Decimal | None  # AMT*F5
    references: tuple[Reference, ...]
    subscriber: Subscriber
    patient: Patient | None  # None when the subscriber is the patient
    payer: Party
    rendering_provider: Party | None
    attending_provider: Party | None
    referring_provider: Party | None
    service_facility: Party | None
    other_payers: tuple[OtherPayer, ...]
    lines: tuple[ServiceLine, ...]


class BillingProvider(Content):
    provider: Party
    taxonomy: str | None  # PRV03
    tax_id: str | None  # REF*EI or REF*SY
    pay_to: Party | None
    claims: tuple[Claim, ...]


class ClaimTransaction(Content):
    """One 837 transaction set."""

    kind: str  # 837P, 837I, 837D
    guide: str
    purpose: str  # BHT02
    reference: str  # BHT03
    created: date | None  # BHT04
    claim_or_encounter: str | None  # BHT06: CH chargeable, RP reporting, 31 subrogation
    submitter: Party
    receiver: Party
    billing_providers: tuple[BillingProvider, ...]
