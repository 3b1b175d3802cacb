"""Figures, ratios, targets and the markdown report: pure functions, no timing."""

from __future__ import annotations

import pytest

from edimesh.bench.report import (
    Figure,
    Machine,
    Op,
    Report,
    Section,
    Target,
    format_value,
    parse_size,
    ratio,
    render_markdown,
    section_rows,
    summary_counts,
)

MACHINE = Machine(
    "Test CPU 3000", 2, 8 * 2**30, "3.11.7", "4.1.2", "Linux 6.1", "2026-01-02 03:04 UTC"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1GB", 10**9), ("200MB", 200 * 10**6), ("10MiB", 10 << 20), ("1.5kb", 1500), ("123", 123)],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "ten MB", "1TB", "-1MB"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)


def test_ratio() -> None:
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(None, 2.0) is None
    assert ratio(3.0, None) is None
    assert ratio(3.0, 0.0) is None  # no baseline measured: no ratio rather than a crash


@pytest.mark.parametrize(
    ("op", "limit", "value", "met"),
    [
        (Op.AT_LEAST, 0.7, 0.7, True),
        (Op.AT_LEAST, 0.7, 0.69, False),
        (Op.AT_MOST, 128, 128, True),
        (Op.AT_MOST, 128, 128.5, False),
    ],
)
def test_target(op: Op, limit: float, value: float, met: bool) -> None:
    assert Target(op, limit).met(value) is met
    assert Figure("f", value, "x", Target(op, limit)).met is met


def test_figure_without_value_or_target_has_no_verdict() -> None:
    assert Figure("f", None, "x", Target(Op.AT_LEAST, 1)).met is None
    assert Figure("f", 5.0, "x").met is None


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (12345.6, "claims/s", "12,346 claims/s"),
        (0.6789, "x", "0.68 x"),
        (63.25, "MB", "63.2 MB"),
        (57.04, "MB/s", "57.0 MB/s"),
        (612.4, "MB/s", "612 MB/s"),
        (None, "MB/s", "n/a"),
    ],
)
def test_format_value(value: float | None, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


def test_section_rows_show_target_and_verdict() -> None:
    section = Section("s", (
        Figure("service / pure", 0.5, "x", Target(Op.AT_LEAST, 0.7)),
        Figure("2 / 1", 1.7, "x", Target(Op.AT_LEAST, 1.6, "about 1.8 (>= 1.6)")),
        Figure("peak RSS", 90.0, "MB"),
    ))  # fmt: skip
    assert section_rows(section) == [
        ("service / pure", "0.50 x", ">= 0.70 x", "NOT met"),
        ("2 / 1", "1.70 x", "about 1.8 (>= 1.6)", "met"),
        ("peak RSS", "90.0 MB", "", ""),
    ]


def _report(*sections: Section, notes: tuple[str, ...] = ()) -> Report:
    return Report(MACHINE, "edimesh bench all --quick", sections, notes)


def test_markdown_has_machine_command_and_every_figure() -> None:
    figures = (
        Figure("end to end", 16_500.0, "claims/s", Target(Op.AT_LEAST, 15_000)),
        Figure("validator peak RSS", 97.5, "MB"),
    )
    text = render_markdown(_report(Section("End to end", figures), notes=("noisy: shared",)))
    for expected in ("Test CPU 3000, 2 cores", "8.0 GiB", "Python: 3.11.7", "Kafka: 4.1.2",
                     "2026-01-02 03:04 UTC", "edimesh bench all --quick", "> noisy: shared",
                     "## End to end", "| end to end | 16,500 claims/s | >= 15,000 claims/s | met |",
                     "| validator peak RSS | 97.5 MB |  |  |"):  # fmt: skip
        assert expected in text


def test_markdown_reports_a_skipped_stage_and_escapes_pipes() -> None:
    text = render_markdown(_report(
        Section("End to end", skipped="no SFTP source"),
        Section("Odd", (Figure("a | b", 1.0, "x"),)),
    ))  # fmt: skip
    assert "## End to end\n\nSkipped: no SFTP source" in text
    assert "| a \\| b | 1.00 x |" in text


def test_summary_counts_only_checked_figures() -> None:
    sections = [
        Section("a", (Figure("x", 1.0, "x", Target(Op.AT_LEAST, 0.5)), Figure("y", 2.0, "x"))),
        Section("b", (Figure("z", 0.1, "x", Target(Op.AT_LEAST, 0.5)),
                      Figure("w", None, "x", Target(Op.AT_LEAST, 0.5)))),
        Section("c", skipped="why"),
    ]  # fmt: skip
    assert summary_counts(sections) == (1, 2)
