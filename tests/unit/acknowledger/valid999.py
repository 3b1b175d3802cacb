"""A 999 interchange is valid 005010X231A1: its set passes the X231A1 guide at SNIP 1-2.

    assert_valid_999(ack.text)
"""

from __future__ import annotations

from edimesh.validation import Snip, ValidationResult, validate_set
from edimesh.x12.events import TransactionSetUnit
from edimesh.x12.stream import X12Stream

# What corpus inputs make the acknowledger echo outside X231A1, let through by name:
# - groups of acknowledgments (GS01 FA, ST01 999) get a 999 too, and X231A1's AK101 and
#   AK201 lists hold only the HIPAA transactions;
# - HIPAA loop ids such as 1000A are longer than IK303's four characters (element 447).
CORPUS_DEVIATIONS: frozenset[tuple[str, str]] = frozenset()  # none today; kept for new files


def validate_999(text: str) -> list[ValidationResult]:
    """Every set of the interchange `text`, split by X12Stream and validated by its guide."""
    stream = X12Stream()
    events = stream.feed(text.encode("latin-1")) + stream.finish()
    results = []
    for event in events:
        if isinstance(event, TransactionSetUnit):
            assert event.raw is not None
            results.append(validate_set(event.raw, event.delimiters, st01=event.st01,
                                        st03=event.st03, gs08=event.gs08))  # fmt: skip
    return results


def assert_valid_999(text: str, *, tolerate: frozenset[tuple[str, str]] = frozenset()) -> None:
    """One 999 set, validated against 005010X231A1 with no SNIP 1-2 finding.

    `tolerate`: (rule, element) pairs a caller knowingly lets through, each with its reason
    where it is passed (the corpus holds groups the guide does not cover).
    """
    (result,) = validate_999(text)
    assert result.guide == "005010X231A1", result.guide
    problems = [(x.rule, x.segment_id, x.segment_position, x.element_ref)
                for x in result.findings if x.snip <= Snip.IMPLEMENTATION
                and (x.rule, x.element_ref or x.segment_id) not in tolerate]  # fmt: skip
    assert problems == [], problems
