"""What validating one set gives: findings, typed content, routing facts, normalized JSON."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from pydantic import BaseModel

from edimesh.validation import findings as f
from edimesh.validation.findings import Finding, Severity, Snip
from edimesh.validation.models.ack import Acknowledgment
from edimesh.validation.models.claim import ClaimTransaction
from edimesh.validation.models.eligibility import EligibilityTransaction
from edimesh.validation.models.remit import Remittance

Content = ClaimTransaction | Remittance | EligibilityTransaction | Acknowledgment
CONTENT_MODELS = {"837P": "Claim837P/1", "837I": "Claim837I/1", "837D": "Claim837D/1",
                  "835": "Remittance835/1", "270": "Eligibility270/1", "271": "Eligibility271/1",
                  "999": "Acknowledgment999/1"}


def _default(obj: object) -> Any:
    if isinstance(obj, BaseModel):
        return obj.__dict__
    if isinstance(obj, Decimal):
        return str(obj)
    raise TypeError(type(obj).__name__)


def to_json(content: BaseModel) -> bytes:
    """Normalized JSON of a content model: field names as declared, amounts as strings."""
    return orjson.dumps(content, default=_default)


@dataclass(frozen=True, slots=True)
class Summary:
    """PHI-free facts for routing and metrics (the Avro ValidationSummary's fields)."""

    claim_count: int
    total_charge: str | None
    total_paid: str | None
    errors: int
    warnings: int
    infos: int


@dataclass(frozen=True, slots=True)
class ValidationResult:
    guide: str | None  # the guide id validated against, None when unsupported
    kind: str | None  # 837P, 837I, 837D, 835, 270, 271, 999
    content: Content | None
    findings: tuple[Finding, ...]
    summary: Summary

    @property
    def content_model(self) -> str | None:
        return CONTENT_MODELS.get(self.kind or "")

    @property
    def schema_errors(self) -> bool:
        """SNIP 1-2 errors (and an unsupported guide): 999 reject, quarantine as schema."""
        return any(x.is_error and x.snip <= Snip.IMPLEMENTATION for x in self.findings)

    @property
    def business_errors(self) -> bool:
        """SNIP 3-5 errors: quarantine for review as business."""
        return any(x.is_error and x.snip >= Snip.BALANCING for x in self.findings)

    @property
    def route(self) -> str:
        """"validated", "schema" or "business": where the set goes."""
        if self.schema_errors:
            return "schema"
        return "business" if self.business_errors else "validated"

    @property
    def ack_code(self) -> str:
        """IK501: R when SNIP 1-2 errors, E when only SNIP 1-2 warnings, else A.

        SNIP 3-5 findings do not go in the 999 (a 277CA or the review queue reports them).
        """
        if self.schema_errors:
            return "R"
        if any(x.severity is Severity.WARNING and x.snip <= Snip.IMPLEMENTATION
               for x in self.findings):
            return "E"
        return "A"

    @property
    def ik502(self) -> tuple[str, ...]:
        """IK502 codes for a rejected set: I6 unsupported, else 5 (segments in error)."""
        codes = {x.ik502 for x in self.findings if x.ik502}
        if self.schema_errors and not codes:
            codes.add(f.IK5_SEGMENTS_IN_ERROR)
        return tuple(sorted(codes))

    def ack_findings(self) -> tuple[Finding, ...]:
        """The findings a 999 reports as IK3/IK4: SNIP 1-2 errors with a segment."""
        return tuple(x for x in self.findings if x.in_999 and x.segment_position is not None)

    def content_json(self) -> bytes | None:
        return None if self.content is None else to_json(self.content)

    def as_dict(self) -> dict[str, Any]:
        s = self.summary
        return {
            "guide": self.guide, "kind": self.kind, "content_model": self.content_model,
            "route": self.route, "ack_code": self.ack_code, "ik502": list(self.ik502),
            "summary": {"claim_count": s.claim_count, "total_charge": s.total_charge,
                        "total_paid": s.total_paid, "errors": s.errors,
                        "warnings": s.warnings, "infos": s.infos},
            "findings": [x.as_dict() for x in self.findings],
        }
