"""Transaction models and SNIP 1-5 validation for 837P/I/D, 835, 270/271 and 999 (005010).

Pure: bytes of one transaction set in, a ``ValidationResult`` out. See docs/validation.md.

    from edimesh.validation import validate_unit, validate_set, warm_up
    result = validate_unit(unit)          # unit: edimesh.x12.events.TransactionSetUnit
    result.route                          # "validated" | "schema" | "business"
    result.ack_code, result.ik502         # 999 IK501 / IK502
    result.findings                       # SNIP level, IK3/IK4 codes, loop, position
    result.content, result.content_json() # typed models, normalized JSON
"""

from edimesh.validation.entry import validate_set, validate_unit, warm_up
from edimesh.validation.findings import Finding, Severity, Snip
from edimesh.validation.result import Summary, ValidationResult, to_json
from edimesh.validation.spec.routing import supported

__all__ = [
    "Finding",
    "Severity",
    "Snip",
    "Summary",
    "ValidationResult",
    "supported",
    "to_json",
    "validate_set",
    "validate_unit",
    "warm_up",
]
