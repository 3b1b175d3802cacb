"""How rules report: one helper that fills a finding from a placed segment."""

from __future__ import annotations

from edimesh.validation import findings as f
from edimesh.validation.findings import Finding, Severity, Snip
from edimesh.validation.tree import Seg


def at(  # noqa: PLR0917 - a rule's finding reads best as (segment, rule, level, text, element)
    seg: Seg, rule: str, snip: Snip, message: str, element: int | None = None,
    component: int | None = None, *, severity: Severity = Severity.ERROR,
    ik403: str | None = None,
) -> Finding:
    """A finding on segment `seg`, element `element` (and `component`) when given."""
    node, _, position = seg
    return placed(node.id, node.loop_id, position, rule, snip, message, element, component,
                  severity=severity, ik403=ik403)


def placed(  # noqa: PLR0917 - the same fields as ``at``, for callers without a segment tuple
    seg_id: str, loop_id: str, position: int, rule: str, snip: Snip, message: str,
    element: int | None = None, component: int | None = None, *,
    severity: Severity = Severity.ERROR, ik403: str | None = None,
) -> Finding:
    ref = None
    if element is not None:
        ref = f"{seg_id}{element:02d}" + (f"-{component}" if component else "")
    return Finding(
        rule=rule, snip=snip, severity=severity, message=message, segment_id=seg_id,
        segment_position=position, loop_id=loop_id, element_ref=ref,
        element_position=(element, component, None) if element is not None else None,
        ik304=f.IK3_ELEMENT_ERRORS if ik403 else None, ik403=ik403,
    )
