"""The generator: streams a file of any size in bounded memory."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from edimesh.x12.synth.canary import CanaryBases, PhiValue, canary_claim, claim_phi
from edimesh.x12.synth.options import SynthError, SynthOptions
from edimesh.x12.synth.plan import Layout, SetInfo
from edimesh.x12.synth.render import (
    HEADER_SEGMENTS,
    VERSION,
    ClaimTemplate,
    Syntax,
    render_claim,
    render_header,
    render_provider,
)
from edimesh.x12.synth.values import ClaimValues, break_npi, make_claim, make_provider

_E = SynthError
_POOL = 1024  # distinct pre-rendered claims; a power of two for cheap indexing
_PROVIDERS = 8
_BATCH = 1 << 15
_STRAY = ("NTE", "ADD", "SYNTHETIC SEGMENT OUTSIDE ANY ENVELOPE")
BOM = b"\xef\xbb\xbf"


class _Content:
    """The seeded pools, and which pool claim each claim index uses."""

    def __init__(self, o: SynthOptions, syntax: Syntax) -> None:
        # One RNG per pool entry, so a small file builds only the entries it uses and
        # still gets the same claims as a large file with the same seed.
        def rng(label: object) -> random.Random:
            return random.Random(f"{o.seed}:{label}")  # noqa: S311  test data, not security

        self.order = list(range(_POOL))
        rng("order").shuffle(self.order)
        end = o.created.date()
        used = {self.pool_index(k) for k in range(min(o.claims, _POOL))}
        self.pool = {
            j: render_claim(make_claim(rng(j), o.lines_per_claim, end), syntax) for j in used
        }
        prov = rng("providers")
        self.providers = [make_provider(prov, i) for i in range(_PROVIDERS)]
        # Set headers are the same but for ST02 (= BHT03) and the provider: render them once.
        d = o.created
        self.st_fmt = syntax.fmt("ST", "837", "%b", VERSION) + syntax.fmt(
            "BHT", "0019", "00", "%b", f"{d:%Y%m%d}", f"{d:%H%M}", "CH"
        )
        self.se_fmt = syntax.fmt("SE", "%d", "%b")
        self.submitter = render_header(o, syntax)
        self.provider_blocks = [render_provider(p, syntax) for p in self.providers]
        self.pcn_prefix = "".join(prov.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
        self.canary = o.canary
        self.leaf_fmt, self.parent_fmt = _claim_formats(syntax, b"%b")
        # Pool claims have CLM01 = prefix + 8-digit claim index: baked in, one format per claim.
        self.leaf_fast, self.parent_fast = _claim_formats(
            syntax, self.pcn_prefix.encode() + b"%08d"
        )
        self.bases = CanaryBases.of(o.canary) if o.canary else None

    def pool_index(self, k: int) -> int:
        # XOR with the cycle number so consecutive cycles do not repeat in the same order.
        return self.order[k & (_POOL - 1)] ^ ((k >> 10) & (_POOL - 1))

    def values(self, k: int) -> ClaimValues:
        base = self.pool[self.pool_index(k)].values
        if self.canary and self.bases:
            return canary_claim(base, self.canary, self.bases, k)
        return replace(base, pcn=f"{self.pcn_prefix}{k:08d}")


def iter_837p(options: SynthOptions, *, chunk_size: int = 1 << 16) -> Iterator[bytes]:
    """The file in chunks of about `chunk_size` bytes (one claim at most over)."""
    buf: list[bytes] = []
    size = 0
    for piece in _pieces(options):
        buf.append(piece)
        size += len(piece)
        if size >= chunk_size:
            yield b"".join(buf)
            buf.clear()
            size = 0
    if buf:
        yield b"".join(buf)


def generate_837p(options: SynthOptions) -> bytes:
    """The whole file in memory: for small files."""
    return b"".join(_pieces(options))


def file_size(options: SynthOptions) -> int:
    """Exact size in bytes. Costs about as much as generating (nothing is kept)."""
    return sum(len(p) for p in _pieces(options))


def options_for_size(target_bytes: int, **kw: Any) -> SynthOptions:
    """Options (with `kw`) whose file is about `target_bytes` long: fits size = a + b * claims
    on two small probes, so the estimate is within a claim or so plus pool variance."""
    if "claims" in kw:
        raise TypeError("options_for_size picks claims itself")
    probe = {k: v for k, v in kw.items() if k != "errors"}
    n1, n2 = 2048, 4096
    s1 = file_size(SynthOptions(claims=n1, **probe))
    s2 = file_size(SynthOptions(claims=n2, **probe))
    per_claim = (s2 - s1) / (n2 - n1)
    claims = max(1, round((target_bytes - (s1 - per_claim * n1)) / per_claim))
    return SynthOptions(claims=claims, **kw)


def iter_sets(options: SynthOptions) -> Iterator[SetInfo]:
    """Every transaction set as written, with the injected errors touching it; cheap."""
    return Layout(options).iter_sets()


def iter_keys(options: SynthOptions) -> Iterator[str]:
    """Idempotency keys `ISA06|ISA08|ISA13|GS06|ST02` (trimmed) of every set, in file order.
    Cheap: no claim is generated. A DUPLICATE_ST02 set repeats its predecessor's key."""
    return (info.key for info in Layout(options).iter_sets())


def iter_phi(options: SynthOptions) -> Iterator[PhiValue]:
    """Every PHI value written (see `canary.py`), control numbers included, in file order."""
    lay = Layout(options)
    content = _Content(options, Syntax.of(options))
    for i in range(options.interchanges):
        yield PhiValue("ISA13", lay.isa13(i), None)
        for g in lay.groups_of(i):
            yield PhiValue("GS06", lay.gs06(g), None)
            for s in lay.sets_of(g):
                yield PhiValue("ST02", lay.st02(s), None)
                for k in lay.claims_of(s):
                    yield from claim_phi(content.values(k), k)


def _pieces(o: SynthOptions) -> Iterator[bytes]:
    lay = Layout(o)
    sx = Syntax.of(o)
    content = _Content(o, sx)
    if o.bom:
        yield BOM
    if o.leading_junk:
        yield o.leading_junk
    for i in range(o.interchanges):
        yield _isa(o, sx, lay, i)
        groups = lay.groups_of(i)
        for g in groups:
            yield _gs(o, sx, lay, g)
            sets = lay.sets_of(g)
            for s in sets:
                yield from _set(o, sx, lay, content, s)
            if not lay.has(_E.MISSING_GE, g):
                n = len(sets) + lay.has(_E.GE01_COUNT, g)
                yield sx.seg("GE", str(n), lay.ge02(g))
        if not lay.has(_E.MISSING_IEA, i):
            yield sx.seg("IEA", str(len(groups) + lay.has(_E.IEA01_COUNT, i)), lay.iea02(i))
        if lay.has(_E.SEGMENT_OUTSIDE_ENVELOPE, i):
            yield sx.seg(*_STRAY)
    if o.trailing_junk:
        yield o.trailing_junk


def _claim_formats(syntax: Syntax, clm01: bytes) -> tuple[bytes, bytes]:
    """%-formats of a claim without / with a patient: HL(s), 2000B (2000C), CLM01, the rest."""
    clm = b"CLM" + syntax.element.replace("%", "%%").encode() + clm01 + b"%b"
    leaf = syntax.fmt("HL", "%d", "1", "22", "0") + b"%b" + clm
    parent = (
        syntax.fmt("HL", "%d", "1", "22", "1")
        + b"%b"
        + syntax.fmt("HL", "%d", "%d", "23", "0")
        + b"%b"
        + clm
    )
    return leaf, parent


def _isa(o: SynthOptions, sx: Syntax, lay: Layout, i: int) -> bytes:
    d = o.created
    date = f"{d:%y}1340" if lay.has(_E.BAD_ISA09_DATE, i) else f"{d:%y%m%d}"
    usage = "X" if lay.has(_E.BAD_ISA15, i) else o.usage_indicator
    blank = " " * 10
    return sx.seg(
        "ISA", "00", blank, "00", blank,
        o.sender_qualifier, o.sender_id.ljust(15), o.receiver_qualifier, o.receiver_id.ljust(15),
        date, f"{d:%H%M}", o.repetition_sep, "00501", lay.isa13(i), "0", usage, o.component_sep,
    )  # fmt: skip


def _gs(o: SynthOptions, sx: Syntax, lay: Layout, g: int) -> bytes:
    d = o.created
    elements = ["GS", "HC", lay.sender, lay.receiver, f"{d:%Y%m%d}", f"{d:%H%M}", lay.gs06(g), "X"]
    if not lay.has(_E.MISSING_GS08, g):
        elements.append(VERSION)
    return sx.seg(*elements)


def _set(o: SynthOptions, sx: Syntax, lay: Layout, c: _Content, s: int) -> Iterator[bytes]:
    st02 = lay.st02(s).encode()
    p = s % _PROVIDERS
    provider = c.provider_blocks[p]
    if lay.has(_E.INVALID_NPI, s):
        provider = render_provider(c.providers[p], sx, break_npi(c.providers[p].npi))
    yield b"".join((c.st_fmt % (st02, st02), c.submitter, provider))
    # Hot loop: locals only, and claims batched so the generator yields once per ~32 KiB.
    pool, order, slow = c.pool, c.order, bool(c.canary)
    leaf_fast, parent_fast = c.leaf_fast, c.parent_fast
    unbalanced = lay.injected.get(_E.UNBALANCED_CLAIM, frozenset())
    segments = HEADER_SEGMENTS + 1  # + SE
    hl = 2
    batch: list[bytes] = []
    size = 0
    for k in lay.claims_of(s):
        t: ClaimTemplate
        if slow or k in unbalanced:
            v = c.values(k)
            t = render_claim(v, sx, 100 if k in unbalanced else 0)
            leaf, parent, clm01 = c.leaf_fmt, c.parent_fmt, v.pcn.encode()
            piece = (
                parent % (hl, t.sub, hl + 1, hl, t.pat, clm01, t.tail)
                if t.pat
                else leaf % (hl, t.sub, clm01, t.tail)
            )
        else:
            t = pool[order[k & (_POOL - 1)] ^ ((k >> 10) & (_POOL - 1))]  # inlined pool_index
            piece = (
                parent_fast % (hl, t.sub, hl + 1, hl, t.pat, k, t.tail)
                if t.pat
                else leaf_fast % (hl, t.sub, k, t.tail)
            )
        hl += 2 if t.pat else 1
        segments += t.segments
        batch.append(piece)
        size += len(piece)
        if size >= _BATCH:
            yield b"".join(batch)
            batch.clear()
            size = 0
    if batch:
        yield b"".join(batch)
    if not lay.has(_E.MISSING_SE, s):
        yield c.se_fmt % (segments + lay.has(_E.SE01_COUNT, s), lay.se02(s).encode())
