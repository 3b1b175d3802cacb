"""The entry points: one transaction set in, a ``ValidationResult`` out.

    result = validate_unit(unit)                       # a TransactionSetUnit from X12Stream
    result = validate_set(raw, delimiters, st01="837", st03="005010X222A1", gs08="...")

``engine.validate`` does the work; this module adds the collector policy and is not compiled
(so tests can watch the policy). ``warm_up`` loads the guides and code sets up front, before
a service calls ``gc.freeze()``.
"""

from __future__ import annotations

import gc
import threading

from edimesh.validation import engine
from edimesh.validation.codesets import icd10
from edimesh.validation.result import ValidationResult
from edimesh.validation.spec.routing import load_guides
from edimesh.x12.delimiters import Delimiters
from edimesh.x12.events import TransactionSetUnit

_validate = engine.validate  # a module global, so tests can watch it
_thread_count = threading.active_count


def warm_up() -> None:
    """Build every guide and load the code sets now rather than on the first set."""
    load_guides()
    icd10.load()


def validate_unit(unit: TransactionSetUnit) -> ValidationResult:
    if unit.raw is None:
        raise ValueError("the set went by reference: fetch its bytes first")
    return validate_set(unit.raw, unit.delimiters, st01=unit.st01, st03=unit.st03,
                        gs08=unit.gs08, base_offset=unit.start)


def validate_set(raw: bytes, delimiters: Delimiters, *, st01: str, st03: str = "",
                 gs08: str = "", base_offset: int = 0, fast: bool = True) -> ValidationResult:
    """Validate the bytes of one ST..SE with its interchange's delimiters.

    `fast=False` skips the set-pattern fast path (the results are the same; tests compare).

    In a single-threaded process (a pool worker, the CLI, the bench) the cyclic garbage
    collector is paused for the set: validation makes no reference cycles, so the collector
    would only rescan the set's young tree (about a tenth of the time). With other threads
    running it is left alone, as pausing it there would pause it for them too.
    """
    if gc.isenabled() and _thread_count() == 1:
        gc.disable()
        try:
            return _validate(raw, delimiters, st01, st03, gs08, base_offset, fast)
        finally:
            gc.enable()
    return _validate(raw, delimiters, st01, st03, gs08, base_offset, fast)
