"""Building and changing small transaction sets for validation tests."""

from __future__ import annotations

from edimesh.validation import ValidationResult, validate_set
from edimesh.validation.findings import Finding, Severity
from edimesh.x12.delimiters import DEFAULT_DELIMITERS
from edimesh.x12.events import TransactionSetUnit
from edimesh.x12.stream import X12Stream
from edimesh.x12.synth import SynthOptions, generate_837p


def units_of(data: bytes) -> list[TransactionSetUnit]:
    stream = X12Stream()
    events = stream.feed(data) + stream.finish()
    return [e for e in events if isinstance(e, TransactionSetUnit)]


def synth_segments(**options: object) -> list[str]:
    """The segments (ST..SE) of the first set of a synthetic 837P."""
    opts = SynthOptions(**{"claims": 1, "claims_per_set": 1, **options})  # type: ignore[arg-type]
    unit = units_of(generate_837p(opts))[0]
    assert unit.raw is not None
    return [s for s in unit.raw.decode("latin-1").split("~") if s]


def validate(segments: list[str], *, gs08: str = "") -> ValidationResult:
    """Validate segments (ST first, SE last) written with the default delimiters; SE01 is
    recounted, so tests can add and remove segments freely."""
    segs = list(segments)
    if segs[-1].startswith("SE*"):
        segs[-1] = f"SE*{len(segs)}*{segs[-1].split('*')[2]}"
    raw = ("~".join(segs) + "~").encode("latin-1")
    st = segs[0].split("*")
    return validate_set(raw, DEFAULT_DELIMITERS, st01=st[1], st03=st[3] if len(st) > 3 else "",
                        gs08=gs08)


def problems(result: ValidationResult) -> list[Finding]:
    """Findings that matter: errors and warnings (info notes left out)."""
    return [f for f in result.findings if f.severity is not Severity.INFO]


def index_of(segments: list[str], prefix: str, nth: int = 0) -> int:
    hits = [i for i, s in enumerate(segments) if s.startswith(prefix)]
    return hits[nth]


def replace_element(segments: list[str], prefix: str, element: int, value: str,
                    nth: int = 0) -> tuple[list[str], int]:
    """A copy with element `element` of the nth segment starting with `prefix` set to `value`;
    also the 1-based position of that segment."""
    segs = list(segments)
    i = index_of(segs, prefix, nth)
    els = segs[i].split("*")
    while len(els) <= element:
        els.append("")
    els[element] = value
    while els and els[-1] == "" and len(els) > 1:
        els.pop()
    segs[i] = "*".join(els)
    return segs, i + 1
