"""Synthetic 005010X222A1 837P files for tests and benchmarks (pure: produces bytes, no I/O).

    from edimesh.x12.synth import SynthOptions, SynthError, iter_837p, summarize
    opts = SynthOptions(claims=1000, errors=frozenset({SynthError.SE01_COUNT}))
    for chunk in iter_837p(opts): ...          # bounded memory, any size
    summarize(opts).problems                   # where the defect is and the expected code
    list(iter_keys(opts))                      # idempotency keys, without generating claims

Deterministic: the same options give the same bytes.
"""

from edimesh.x12.synth.canary import PhiValue
from edimesh.x12.synth.options import (
    MAX_CANARY_CLAIMS,
    Injection,
    Scope,
    SynthError,
    SynthOptions,
    SynthOptionsError,
)
from edimesh.x12.synth.plan import SetInfo
from edimesh.x12.synth.problems import (
    ERROR_INFO,
    Category,
    ErrorInfo,
    ExpectedProblem,
    SynthSummary,
    summarize,
)
from edimesh.x12.synth.render import VERSION
from edimesh.x12.synth.stream import (
    file_size,
    generate_837p,
    iter_837p,
    iter_keys,
    iter_phi,
    iter_sets,
    options_for_size,
)
from edimesh.x12.synth.values import is_valid_npi, npi_check_digit

__all__ = [
    "ERROR_INFO",
    "MAX_CANARY_CLAIMS",
    "VERSION",
    "Category",
    "ErrorInfo",
    "ExpectedProblem",
    "Injection",
    "PhiValue",
    "Scope",
    "SetInfo",
    "SynthError",
    "SynthOptions",
    "SynthOptionsError",
    "SynthSummary",
    "file_size",
    "generate_837p",
    "is_valid_npi",
    "iter_837p",
    "iter_keys",
    "iter_phi",
    "iter_sets",
    "npi_check_digit",
    "options_for_size",
    "summarize",
]
