"""835 remittance advice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from edimesh.validation.models.base import Content, Party, Reference


class Adjustment(Content):
    group: str  # CAS01: CO, OA, PI, PR
    reason: str  # CARC
    amount: Decimal
    quantity: Decimal | None


class ServicePayment(Content):
    procedure_qualifier: str | None
    procedure_code: str | None
    modifiers: tuple[str, ...]
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    revenue_code: str | None
    units_paid: Decimal | None
    service_date: date | None  # DTM*472, else DTM*150
    service_date_end: date | None  # DTM*151
    adjustments: tuple[Adjustment, ...]
    remark_codes: tuple[str, ...]  # LQ*HE (RARC)
    control_number: str | None  # REF*6R
    allowed_amount: Decimal | None  # AMT*B6


class ClaimPayment(Content):
    header_number: str | None  # LX01 of the enclosing 2000
    claim_id: str  # CLP01
    status: str  # CLP02
    total_charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    filing_indicator: str
    payer_claim_control_number: str | None
    facility_code: str | None
    frequency_code: str | None
    drg_code: str | None
    patient: Party | None
    insured: Party | None
    rendering_provider: Party | None
    statement_from: date | None
    statement_to: date | None
    adjustments: tuple[Adjustment, ...]
    remark_codes: tuple[str, ...]  # MOA / MIA remark codes
    references: tuple[Reference, ...]
    services: tuple[ServicePayment, ...]


class ProviderAdjustment(Content):
    provider_id: str  # PLB01
    fiscal_period_end: date | None  # PLB02
    reason: str  # PLB03-1 and onwards
    reference: str | None
    amount: Decimal


class Remittance(Content):
    """One 835 transaction set."""

    kind: str  # 835
    guide: str
    handling: str  # BPR01
    total_paid: Decimal  # BPR02
    credit_debit: str  # BPR03
    payment_method: str  # BPR04
    payment_date: date | None  # BPR16
    trace_number: str  # TRN02
    payer_trace_id: str | None  # TRN03
    production_date: date | None  # DTM*405
    payer: Party
    payee: Party
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
