"""Validate one transaction set: route to a guide, parse, check, extract, summarize.

The work behind ``entry.validate_set`` (compiled with mypyc, see native_build.py). Pure: no
I/O, no logging, no global state but the guides and code sets loaded on first use and bounded
memos of codes and payers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from edimesh.validation import findings as f
from edimesh.validation.extract import acks, claims, eligibility, remits
from edimesh.validation.findings import Finding, Severity, Snip
from edimesh.validation.parser import Parser, split_segments
from edimesh.validation.result import Content, Summary, ValidationResult
from edimesh.validation.rules import balancing, situational
from edimesh.validation.rules.codesets import CodeSetChecker
from edimesh.validation.spec.routing import route
from edimesh.validation.spec.setpattern import set_pattern
from edimesh.validation.tree import Loop
from edimesh.validation.trusted import TrustedParser
from edimesh.x12.delimiters import Delimiters

Extractor = Callable[[Loop, str, str, str, str], Content]
_EXTRACTORS: dict[str, Extractor] = {
    "837P": claims.extract, "837I": claims.extract, "837D": claims.extract,
    "835": remits.extract, "270": eligibility.extract, "271": eligibility.extract,
    "999": acks.extract,
}


def _text(b: bytes | None) -> str:
    return b.decode("latin-1") if b else ""


def validate(raw: bytes, delimiters: Delimiters, st01: str, st03: str, gs08: str,  # noqa: PLR0917
             base_offset: int, fast: bool) -> ValidationResult:
    """See ``entry.validate_set``: this is the work, without the collector policy."""
    guide = route(st01, st03, gs08)
    if guide is None:
        return _unsupported(st01, st03 or gs08)
    element, component = _text(delimiters.element), _text(delimiters.component)
    repetition, segment = _text(delimiters.repetition), _text(delimiters.segment)
    text = raw.decode("latin-1")
    texts = split_segments(text, element, segment)
    root: Loop | None = None
    if fast and set_pattern(guide, (element, component, repetition), segment).fullmatch(text):
        trusted = TrustedParser(guide, element, component, repetition)
        parser: Parser = trusted
        root = trusted.walk(texts)
    if root is None:  # no pattern match, or a broken situational rule: the parser says where
        parser = Parser(guide, element, component, repetition)
        root = parser.parse(texts)
    kind = guide.guide.kind
    found = parser.findings
    found += _business(root, kind, component)
    found += CodeSetChecker(component, repetition).run(parser.coded)
    content = _EXTRACTORS[kind](root, kind, guide.guide.id, component, repetition)
    if any(x.segment_position is not None for x in found):
        found = _with_offsets(found, raw, segment, base_offset)
    return ValidationResult(guide.guide.id, kind, content, tuple(found), _summary(content, found))


def _business(root: Loop, kind: str, comp: str) -> list[Finding]:
    if kind.startswith("837"):
        claim_loops = _claim_loops(root)
        out = balancing.claims_837(claim_loops)
        out += situational.subscriber_levels(root, kind)
        for claim in claim_loops:
            out += situational.claim_rules(claim, kind, comp)
        return out
    if kind == "835":
        return balancing.remittance(root) + situational.remittance_rules(root)
    if kind == "270":
        return situational.inquiry_rules(root)
    return []


def _claim_loops(root: Loop) -> list[Loop]:
    """Every 2300 of an 837: per subscriber, its own claims, then its patients' claims."""
    out: list[Loop] = []
    for provider in root.children:
        if provider.spec.id != "2000A":
            continue
        for sub in provider.children:
            if sub.spec.id != "2000B":
                continue
            out += [c for c in sub.children if c.spec.id == "2300"]
            for child in sub.children:
                if child.spec.id == "2000C":
                    out += [c for c in child.children if c.spec.id == "2300"]
    return out


def _unsupported(st01: str, version: str) -> ValidationResult:
    finding = Finding(
        rule="snip2.unsupported_guide", snip=Snip.IMPLEMENTATION, severity=Severity.ERROR,
        message="no supported implementation guide for this transaction set type and version",
        segment_id="ST", segment_position=1, ik502=f.IK5_CONVENTION_NOT_SUPPORTED,
    )
    return ValidationResult(None, None, None, (finding,), _summary(None, [finding]))


def _with_offsets(found: list[Finding], raw: bytes, segment: str, base: int) -> list[Finding]:
    """File byte offsets of the findings' segments (computed only when there are findings)."""
    offsets = segment_offsets(raw, segment.encode("latin-1"))
    return [
        replace(x, byte_offset=base + offsets[x.segment_position - 1])
        if x.segment_position is not None and 0 < x.segment_position <= len(offsets) else x
        for x in found
    ]


def segment_offsets(raw: bytes, term: bytes) -> list[int]:
    offsets = []
    pos = 0
    n = len(raw)
    while pos < n:
        while pos < n and raw[pos] in b"\r\n ":
            pos += 1
        if pos >= n:
            break
        offsets.append(pos)
        end = raw.find(term, pos)
        pos = n if end < 0 else end + 1
    return offsets


def _summary(content: Content | None, found: list[Finding]) -> Summary:
    errors = sum(1 for x in found if x.severity is Severity.ERROR)
    warnings = sum(1 for x in found if x.severity is Severity.WARNING)
    infos = len(found) - errors - warnings
    count, charge, paid = 0, None, None
    if content is not None and content.kind.startswith("837"):
        all_claims = [c for p in content.billing_providers for c in p.claims]  # type: ignore[union-attr]
        count = len(all_claims)
        charge = str(sum((c.total_charge for c in all_claims), Decimal(0)))
    elif content is not None and content.kind == "835":
        count = len(content.claims)  # type: ignore[union-attr]
        charge = str(sum((c.total_charge for c in content.claims), Decimal(0)))  # type: ignore[union-attr]
        paid = str(content.total_paid)  # type: ignore[union-attr]
    return Summary(count, charge, paid, errors, warnings, infos)
