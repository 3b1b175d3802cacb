"""The synthetic 837P generator, checked by an independent, deliberately naive scan."""

from __future__ import annotations

import re
import tracemalloc
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from edimesh.x12.synth import (
    ERROR_INFO,
    MAX_CANARY_CLAIMS,
    Injection,
    Scope,
    SynthError,
    SynthOptions,
    SynthOptionsError,
    file_size,
    generate_837p,
    is_valid_npi,
    iter_837p,
    iter_keys,
    iter_phi,
    iter_sets,
    options_for_size,
    summarize,
)

ICD = {"J069", "E119", "I10", "M5450", "Z0000", "R051", "E785", "J029", "N390", "K219", "F419",
       "M25561", "Z23", "R509", "J209"}  # fmt: skip
STATES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY",
}  # fmt: skip
MONEY = re.compile(r"\d+\.\d\d")


# ---------------------------------------------------------------------- independent scan
def luhn_ok(digits: str) -> bool:
    """Plain Luhn validation (the whole number, check digit included)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def npi_ok(npi: str) -> bool:
    return len(npi) == 10 and npi.isdigit() and luhn_ok("80840" + npi)


def cents(value: str) -> int:
    assert MONEY.fullmatch(value), value
    return int(Decimal(value) * 100)


@dataclass
class Scan:
    """What a naive reader sees. Indices count ISA / GS / ST / CLM in file order from 0."""

    element: str
    component: str
    segment: str
    isa: int = 0
    gs: int = 0
    st: int = 0
    claims: int = 0
    keys: list[str] = field(default_factory=list)
    defects: set[tuple[SynthError, int]] = field(default_factory=set)
    segments: list[list[str]] = field(default_factory=list)


def scan(data: bytes) -> Scan:
    start = data.index(b"ISA")
    text = data[start:].decode("ascii")
    s = Scan(element=text[3], component=text[104], segment=text[105])
    in_isa = in_gs = in_st = False
    isa13 = gs06 = st02 = sender = receiver = ""
    gs_in_isa = st_in_gs = seg_count = 0
    st02_seen: set[str] = set()
    claim: list[int] | None = None  # [CLM02, sum of SV102]

    def defect(error: SynthError, index: int) -> None:
        s.defects.add((error, index))

    def close_claim() -> None:
        nonlocal claim
        if claim is not None and claim[0] != claim[1]:
            defect(SynthError.UNBALANCED_CLAIM, s.claims - 1)
        claim = None

    def close_set_if_open() -> None:
        nonlocal in_st
        if in_st:
            close_claim()
            defect(SynthError.MISSING_SE, s.st - 1)
            in_st = False

    def close_group_if_open() -> None:
        nonlocal in_gs
        close_set_if_open()
        if in_gs:
            defect(SynthError.MISSING_GE, s.gs - 1)
            in_gs = False

    for raw in text.split(s.segment):
        seg = raw.lstrip("\r\n")
        if not seg:
            continue
        el = seg.split(s.element)
        s.segments.append(el)
        tag = el[0]
        if not in_isa and tag != "ISA":
            defect(SynthError.SEGMENT_OUTSIDE_ENVELOPE, s.isa - 1)
            continue
        if tag == "ISA":
            if in_isa:
                close_group_if_open()
                defect(SynthError.MISSING_IEA, s.isa - 1)
            assert len(seg) == 105, "ISA is 106 bytes with its terminator"
            assert [len(x) for x in el[1:]] == [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1]
            try:
                datetime.strptime(el[9], "%y%m%d")  # noqa: DTZ007  a date check only
            except ValueError:
                defect(SynthError.BAD_ISA09_DATE, s.isa)
            if not el[13].isdigit():
                defect(SynthError.BAD_ISA13, s.isa)
            if el[15] not in ("P", "T"):
                defect(SynthError.BAD_ISA15, s.isa)
            in_isa, isa13, gs_in_isa = True, el[13], 0
            sender, receiver = el[6].strip(), el[8].strip()
            s.isa += 1
        elif tag == "GS":
            close_group_if_open()
            if len(el) < 9 or not el[8]:
                defect(SynthError.MISSING_GS08, s.gs)
            else:
                assert el[8] == "005010X222A1"
            in_gs, gs06, st_in_gs, st02_seen = True, el[6], 0, set()
            gs_in_isa += 1
            s.gs += 1
        elif tag == "ST":
            close_set_if_open()
            assert in_gs
            st02 = el[2]
            assert el[1] == "837"
            assert el[3] == "005010X222A1"
            if st02 in st02_seen:
                defect(SynthError.DUPLICATE_ST02, s.st)
            st02_seen.add(st02)
            s.keys.append(f"{sender}|{receiver}|{isa13}|{gs06}|{st02}")
            in_st, seg_count = True, 1
            st_in_gs += 1
            s.st += 1
        elif tag == "SE":
            assert in_st
            close_claim()
            seg_count += 1
            if int(el[1]) != seg_count:
                defect(SynthError.SE01_COUNT, s.st - 1)
            if el[2] != st02:
                defect(SynthError.SE02_MISMATCH, s.st - 1)
            in_st = False
        elif tag == "GE":
            close_set_if_open()
            if int(el[1]) != st_in_gs:
                defect(SynthError.GE01_COUNT, s.gs - 1)
            if el[2] != gs06:
                defect(SynthError.GE02_MISMATCH, s.gs - 1)
            in_gs = False
        elif tag == "IEA":
            close_group_if_open()
            if int(el[1]) != gs_in_isa:
                defect(SynthError.IEA01_COUNT, s.isa - 1)
            if el[2] != isa13:
                defect(SynthError.IEA02_MISMATCH, s.isa - 1)
            in_isa = False
        else:
            assert in_st, f"{tag} outside a transaction set"
            seg_count += 1
            if tag == "HL":
                close_claim()
            elif tag == "NM1" and el[1] == "85":
                assert el[8] == "XX"
                if not npi_ok(el[9]):
                    defect(SynthError.INVALID_NPI, s.st - 1)
            elif tag == "CLM":
                close_claim()
                claim = [cents(el[2]), 0]
                s.claims += 1
            elif tag == "SV1":
                assert claim is not None
                claim[1] += cents(el[2])
    close_group_if_open()
    if in_isa:
        defect(SynthError.MISSING_IEA, s.isa - 1)
    return s


def expected_defects(options: SynthOptions) -> set[tuple[SynthError, int]]:
    out: set[tuple[SynthError, int]] = set()
    for p in summarize(options).problems:
        index = {
            Scope.INTERCHANGE: p.interchange,
            Scope.GROUP: p.group,
            Scope.SET: p.set,
            Scope.CLAIM: p.claim,
        }[p.error.scope]
        assert index is not None
        out.add((p.error, index))
    return out


# ---------------------------------------------------------------------- strategies
DELIMITERS = [
    ("*", ":", "^", "~"),
    ("|", ">", "^", "~"),
    ("*", ":", "^", "\n"),
    ("^", "\\", "{", "'"),
    ("%", "@", "!", "~"),  # '%' exercises the escaping of the bytes format templates
]

shapes = st.fixed_dictionaries(
    {
        "claims": st.integers(1, 40),
        "claims_per_set": st.integers(1, 6),
        "sets_per_group": st.integers(1, 4),
        "groups_per_interchange": st.integers(1, 3),
        "seed": st.integers(0, 2**32),
        "lines_per_claim": st.tuples(st.integers(1, 3), st.integers(3, 6)),
    }
)


def syntax_kw(delims: tuple[str, str, str, str], newline: str) -> dict[str, str]:
    e, c, r, t = delims
    return {
        "element_sep": e,
        "component_sep": c,
        "repetition_sep": r,
        "segment_term": t,
        "newline": "" if t == "\n" else newline,
    }


# ---------------------------------------------------------------------- valid files
@settings(max_examples=60, deadline=None)
@given(
    shape=shapes, delims=st.sampled_from(DELIMITERS), newline=st.sampled_from(["", "\n", "\r\n"])
)
def test_valid_file_scans_clean(
    shape: dict[str, int], delims: tuple[str, str, str, str], newline: str
) -> None:
    options = SynthOptions(**shape, **syntax_kw(delims, newline))  # type: ignore[arg-type]
    data = generate_837p(options)
    found = scan(data)
    summary = summarize(options)
    assert found.defects == set()
    assert summary.problems == ()
    assert summary.envelope_valid
    assert (found.isa, found.gs, found.st, found.claims) == (
        summary.interchanges,
        summary.groups,
        summary.sets,
        summary.claims,
    )
    assert (found.element, found.component, found.segment) == (delims[0], delims[1], delims[3])
    assert found.keys == list(iter_keys(options))
    assert len(set(found.keys)) == len(found.keys)
    assert [i.key for i in iter_sets(options)] == found.keys
    if newline and delims[3] != "\n":
        assert data.count(delims[3].encode() + newline.encode()) == len(found.segments)


@settings(max_examples=30, deadline=None)
@given(shape=shapes, delims=st.sampled_from(DELIMITERS))
def test_claim_content_is_realistic(
    shape: dict[str, int], delims: tuple[str, str, str, str]
) -> None:
    options = SynthOptions(**shape, **syntax_kw(delims, ""))  # type: ignore[arg-type]
    found = scan(generate_837p(options))
    comp = found.component
    lo, hi = options.lines_per_claim
    hl_levels: dict[str, str] = {}
    hls: list[tuple[str, str]] = []  # (level, child code) in file order
    diagnoses = 0
    lines_in_claim: list[int] = []
    for el in found.segments:
        tag = el[0]
        if tag == "ST":
            hl_levels = {}
        elif tag == "HL":
            hl_id, parent, level, child = el[1:5]
            assert int(hl_id) == len(hl_levels) + 1, "HL ids count up from 1 in each set"
            assert (parent == "") == (level == "20")
            assert parent == "" or hl_levels[parent] == {"22": "20", "23": "22"}[level]
            hl_levels[hl_id] = level
            hls.append((level, child))
        elif tag == "N4":
            assert el[2] in STATES
            assert re.fullmatch(r"\d{5}(\d{4})?", el[3])
        elif tag == "DMG":
            assert el[1] == "D8"
            assert el[3] in ("F", "M")
            datetime.strptime(el[2], "%Y%m%d")  # noqa: DTZ007  a date check only
        elif tag == "NM1" and el[1] == "IL":
            assert el[8] == "MI"
            assert el[9]
        elif tag == "NM1" and el[1] == "PR":
            assert el[8] == "PI"
            assert el[9]
        elif tag == "CLM":
            assert el[5] == comp.join(("11", "B", "1"))
            lines_in_claim.append(0)
        elif tag == "HI":
            codes = [x.split(comp) for x in el[1:]]
            assert [q for q, _ in codes] == ["ABK"] + ["ABF"] * (len(codes) - 1)
            assert {c for _, c in codes} <= ICD
            diagnoses = len(codes)
        elif tag == "SV1":
            assert el[1].split(comp)[0] == "HC"
            assert el[3] == "UN"
            assert int(el[4]) >= 1
            pointers = [int(p) for p in el[7].split(comp)]
            assert 1 <= len(pointers) <= 4
            assert all(1 <= p <= diagnoses for p in pointers)
            lines_in_claim[-1] += 1
        elif tag == "DTP":
            assert el[1] in ("431", "472")
            assert el[2] == "D8"
    assert all(lo <= n <= hi for n in lines_in_claim)
    # HL04 says whether a child HL follows: always under 20, never under 23, and under 22
    # exactly when a patient (23) comes next.
    for (level, child), nxt in zip(hls, [*hls[1:], ("", "")], strict=True):
        expected = {"20": "1", "22": "1" if nxt[0] == "23" else "0", "23": "0"}[level]
        assert child == expected


def test_isa_layout_and_identity() -> None:
    options = SynthOptions(claims=3, sender_id="SUBMITTER1", receiver_id="PAYER 77", first_isa13=42)
    data = generate_837p(options)
    isa = data[:106].decode()
    assert isa == (
        "ISA*00*          *00*          *ZZ*SUBMITTER1     *ZZ*PAYER 77       "
        "*240315*0930*^*00501*000000042*0*T*:~"
    )
    assert list(iter_keys(options)) == ["SUBMITTER1|PAYER 77|000000042|1|0001"]


def test_npi_check_digit_matches_the_cms_example() -> None:
    assert is_valid_npi("1234567893")
    assert not is_valid_npi("1234567890")


# ---------------------------------------------------------------------- streaming
@settings(max_examples=30, deadline=None)
@given(shape=shapes, chunk=st.integers(1, 5000))
def test_chunks_concatenate_to_the_whole_file(shape: dict[str, int], chunk: int) -> None:
    options = SynthOptions(**shape)  # type: ignore[arg-type]
    whole = generate_837p(options)
    chunks = list(iter_837p(options, chunk_size=chunk))
    assert b"".join(chunks) == whole
    assert all(chunks)
    assert file_size(options) == len(whole)


def test_deterministic_by_seed() -> None:
    a = SynthOptions(claims=50, seed=7)
    assert generate_837p(a) == generate_837p(SynthOptions(claims=50, seed=7))
    assert generate_837p(a) != generate_837p(SynthOptions(claims=50, seed=8))


def test_small_file_is_a_prefix_of_a_larger_one_in_claims() -> None:
    small = scan(generate_837p(SynthOptions(claims=5, claims_per_set=100)))
    large = scan(generate_837p(SynthOptions(claims=2000, claims_per_set=100)))
    clm = [el for el in small.segments if el[0] == "CLM"]
    assert clm == [el for el in large.segments if el[0] == "CLM"][:5]


def test_bom_and_junk_surround_the_interchanges() -> None:
    options = SynthOptions(claims=2, bom=True, leading_junk=b"\r\n", trailing_junk=b"\x1a")
    data = generate_837p(options)
    assert data.startswith(b"\xef\xbb\xbf\r\nISA")
    assert data.endswith(b"IEA*1*000000001~\x1a")
    assert scan(data[:-1]).defects == set()


def test_stream_of_50_mb_has_bounded_memory() -> None:
    options = options_for_size(50_000_000)
    tracemalloc.start()
    try:
        total = sum(len(chunk) for chunk in iter_837p(options))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 49_000_000 < total < 51_000_000
    assert peak < 8_000_000, f"peak {peak} bytes while streaming {total}"


def test_options_for_size_is_close() -> None:
    options = options_for_size(3_000_000, claims_per_set=25, seed=3)
    assert options.claims_per_set == 25
    assert abs(file_size(options) - 3_000_000) < 30_000


# ---------------------------------------------------------------------- injected errors
# 3 interchanges x 2 groups x 2 sets x 2 claims: every defect has clean neighbours.
GRID = {"claims": 24, "claims_per_set": 2, "sets_per_group": 2, "groups_per_interchange": 2}


@pytest.mark.parametrize("error", list(SynthError))
@pytest.mark.parametrize("at", [None, 1, -1])
def test_each_error_lands_where_the_summary_says(error: SynthError, at: int | None) -> None:
    if error is SynthError.DUPLICATE_ST02 and at == -1:
        at = 3  # a set with a predecessor in its group
    options = SynthOptions(**GRID, errors=frozenset({Injection(error, at)}))  # type: ignore[arg-type]
    (problem,) = summarize(options).problems
    found = scan(generate_837p(options))
    assert found.defects == expected_defects(options)
    assert problem.info.envelope_invalid == (error not in {
        SynthError.UNBALANCED_CLAIM, SynthError.INVALID_NPI
    })  # fmt: skip
    assert summarize(options).envelope_valid == (not problem.info.envelope_invalid)
    if problem.key is not None:
        assert problem.key == found.keys[problem.set or 0]


def test_bare_error_uses_its_default_position() -> None:
    options = SynthOptions(
        **GRID,  # type: ignore[arg-type]
        errors=frozenset(
            {SynthError.MISSING_IEA, SynthError.DUPLICATE_ST02, SynthError.SE01_COUNT}
        ),
    )
    assert expected_defects(options) == {
        (SynthError.MISSING_IEA, 2),
        (SynthError.DUPLICATE_ST02, 1),
        (SynthError.SE01_COUNT, 0),
    }
    data = generate_837p(options)
    assert not data.rstrip(b"~").rsplit(b"~", 1)[-1].startswith(b"IEA"), "truncated at end"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_combined_errors_are_all_reported(data: st.DataObject) -> None:
    shape = data.draw(shapes)
    base = SynthOptions(**shape)  # type: ignore[arg-type]
    chosen = data.draw(st.sets(st.sampled_from(list(SynthError)), max_size=5))
    injections = frozenset(
        Injection(e, data.draw(st.integers(0, base.count(e.scope) - 1))) for e in chosen
    )
    try:
        options = SynthOptions(**shape, errors=injections)  # type: ignore[arg-type]
    except SynthOptionsError:
        assume(False)
    found = scan(generate_837p(options))
    assert found.defects == expected_defects(options)
    touched = {i.index for i in iter_sets(options) if i.errors}
    for p in summarize(options).problems:
        if p.set is not None:
            assert p.set in touched


def test_error_info_covers_every_error() -> None:
    assert set(ERROR_INFO) == set(SynthError)
    assert ERROR_INFO[SynthError.MISSING_SE].code == "2"
    assert ERROR_INFO[SynthError.SE02_MISMATCH].code == "3"
    assert ERROR_INFO[SynthError.BAD_ISA13].code == "018"


@pytest.mark.parametrize(
    "kw",
    [
        {"claims": 0},
        {"claims": 3, "element_sep": "A"},
        {"claims": 3, "element_sep": "~"},
        {"claims": 3, "segment_term": "\n", "newline": "\n"},
        {"claims": 3, "lines_per_claim": (0, 2)},
        {"claims": 3, "errors": frozenset({Injection(SynthError.SE01_COUNT, 5)})},
        {"claims": 3, "errors": frozenset({SynthError.DUPLICATE_ST02})},  # one set per group
        {"claims": 3, "errors": frozenset({SynthError.MISSING_SE, SynthError.SE01_COUNT})},
        {"claims": 3, "sender_id": "X" * 16},
        {"claims": 3, "first_isa13": 10**9},
        {"claims": 3, "canary": "ab"},
        {"claims": MAX_CANARY_CLAIMS + 1, "canary": "CANARY"},
    ],
)
def test_invalid_options_are_refused(kw: dict[str, object]) -> None:
    with pytest.raises(SynthOptionsError):
        SynthOptions(**kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- canary
def test_canary_builds_every_phi_value() -> None:
    options = SynthOptions(claims=60, claims_per_set=7, canary="QZX9")
    text = generate_837p(options).decode()
    phi = list(iter_phi(options))
    values = [p.value for p in phi]
    assert len(values) == len(set(values)), "every PHI value is unique"
    for p in phi:
        assert p.value in text, p.field
        if not p.value.isdigit():
            assert "QZX9" in p.value, p.field
    fields = {p.field for p in phi}
    assert {"2010BA.NM103", "2010BA.NM109", "2010BA.REF02", "2010BA.DMG02", "2010BA.N403",
            "2300.CLM01", "ISA13", "GS06", "ST02", "2010CA.NM103"} <= fields  # fmt: skip
    for p in phi:
        if p.field.endswith("DMG02"):
            assert p.value.startswith("18")
        if p.field.endswith("REF02"):
            assert p.value.startswith("9")
            assert len(p.value) == 9
        if p.field in ("ISA13", "GS06", "ST02"):
            assert len(p.value) == 9
    # No name or id from the ordinary pools is left.
    for el in scan(text.encode()).segments:
        if el[0] == "NM1" and el[1] in ("IL", "QC"):
            assert all("QZX9" in x for x in el[3:5])
    assert scan(text.encode()).defects == set()


def test_phi_listing_matches_the_file_without_canary() -> None:
    options = SynthOptions(claims=15)
    text = generate_837p(options).decode()
    assert all(p.value in text for p in iter_phi(options))


@settings(max_examples=40, deadline=None)
@given(
    canary=st.from_regex(r"[A-Z][A-Z0-9]{2,11}", fullmatch=True),
    claims=st.integers(1, 30),
    per_set=st.integers(1, 5),
)
def test_canary_values_are_unique_for_any_canary(canary: str, claims: int, per_set: int) -> None:
    options = SynthOptions(claims=claims, claims_per_set=per_set, sets_per_group=2, canary=canary)
    text = generate_837p(options).decode()
    values = [p.value for p in iter_phi(options)]
    assert len(values) == len(set(values))
    assert all(v in text for v in values)
