"""Every sample file goes through the checker; known envelope problems are found exactly.

The expectations come from the corpus INDEX.md flags (an independent scan) and from the
golden acknowledgments (pyx12's `*.997.base`) that sit beside some inputs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edimesh.checker.reader import scan_file
from edimesh.checker.report import FileReport
from edimesh.x12.events import Event, InterchangeSummary

from ..x12.helpers import all_problems, units

CORPUS = Path(__file__).parents[2] / "data" / "corpus"
FILES = sorted(
    p
    for p in CORPUS.rglob("*")
    if p.is_file() and p.name != "INDEX.md" and not p.name.startswith(".")
)

# Flags of INDEX.md and the problem each one must produce, with its 999/TA1 code.
FLAG_PROBLEMS = {
    "SE01-COUNT-WRONG": ("se01_count", "4"),
    "SE02!=ST02": ("se02_mismatch", "3"),
}
# Envelope errors found in files whose INDEX row has no envelope flag, and why that is right.
EXPECTED_EXTRA = {
    # ISA10 "3339" is no time of day; ST02 is padded to ten characters. pyx12's golden
    # acknowledgment rejects the same: TA1 015, AK5 3 and 7.
    "pyx12/history-test-files/ele.txt": {"isa10_time", "st02_invalid", "se02_mismatch"},
}
# pyx12 reports IEA02 != ISA13 as TA1 018; X12 names that case 001, which is what we use.
TA1_DIFFERS = {"pyx12/history-test-files/trailer_errors.txt": ("018", "021")}


def index_rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in (CORPUS / "INDEX.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 8 and "/" in cells[1]:
            rows[cells[1]] = cells[7].split()
    return rows


def events_of(path: Path) -> list[Event]:
    return list(scan_file(path, chunk_bytes=97))  # an odd chunk size crosses every boundary


def test_the_index_covers_the_corpus() -> None:
    rows = index_rows()
    assert len(FILES) > 100
    assert {str(p.relative_to(CORPUS)) for p in FILES} == set(rows)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_file(path: Path) -> None:
    name = str(path.relative_to(CORPUS))
    flags = index_rows()[name]
    events = events_of(path)
    report = FileReport(name)
    for event in events:
        report.add(event)
    report.as_dict()  # renders without error
    assert units(events), "every sample holds at least one transaction set"

    errors = {p.kind for p in all_problems(events) if p.is_error}
    expected = {FLAG_PROBLEMS[f][0] for f in flags if f in FLAG_PROBLEMS}
    if "ENVELOPE-UNBALANCED" in flags:
        assert errors & {"se_missing", "ge_missing", "iea_missing"}
        expected |= errors & {"se_missing", "ge_missing", "iea_missing"}
    expected |= EXPECTED_EXTRA.get(name, set())
    trailer = errors & {"iea01_count", "iea02_mismatch", "ge02_mismatch", "ge01_count"}
    assert errors - trailer == expected, f"unexpected envelope findings in {name}"
    for flag in flags:
        if flag in FLAG_PROBLEMS:
            kind, code = FLAG_PROBLEMS[flag]
            problem = next(p for p in all_problems(events) if p.kind == kind)
            assert problem.code == code
            assert problem.location.segment_id == "SE"
            data = path.read_bytes()
            assert data[problem.location.byte_offset or 0 :].startswith(b"SE")


def golden_pairs() -> list[tuple[Path, Path]]:
    pairs = []
    for golden in sorted(CORPUS.rglob("*.997.base")):
        source = golden.with_name(golden.name.removesuffix(".997.base") + ".txt")
        if source.exists():
            pairs.append((source, golden))
    return pairs


@pytest.mark.parametrize(
    ("source", "golden"), golden_pairs(), ids=lambda p: p.name if isinstance(p, Path) else ""
)
def test_agrees_with_golden_acknowledgments(source: Path, golden: Path) -> None:
    """TA105 and the envelope-level AK5/IK5 and AK905 codes match the golden 997."""
    text = golden.read_text(encoding="latin-1")
    events = events_of(source)
    ta1 = re.search(r"TA1\*[^*]*\*[^*]*\*[^*]*\*([AER])\*(\d{3})", text)
    if ta1:
        ours = next(e.ta1_code for e in events if isinstance(e, InterchangeSummary))
        name = str(source.relative_to(CORPUS))
        assert ours == ta1.group(2) or TA1_DIFFERS.get(name) == (ta1.group(2), ours)
    golden_set_codes = [
        set(m.group(1).split("*")[1:]) & {"2", "3", "4", "7", "23"}
        for m in re.finditer(r"AK5\*([^~]*)", text)
    ]
    our_set_codes = [{p.code for p in u.problems if p.code} for u in units(events)]
    assert our_set_codes == golden_set_codes
    golden_group_codes = set()
    for m in re.finditer(r"AK9\*([^~]*)", text):
        golden_group_codes |= set(m.group(1).split("*")[4:]) & {"2", "3", "4", "5"}
    ours_group = {p.code for p in all_problems(events) if p.level == "group" and p.code}
    assert ours_group == golden_group_codes
