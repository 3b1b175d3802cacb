"""Benchmark figures, ratios and targets, and their rendering (pure: no I/O, no clock).

A stage of the suite yields a `Section`: figures (value, unit, optional target) and notes. The
suite prints the sections and writes them, with the machine description, to
`benchmarks/results.md`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9,
          "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30}  # fmt: skip


def parse_size(text: str) -> int:
    """'1GB', '200MB', '10MiB' or a number of bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?\s*", text, re.IGNORECASE)
    if not m:
        raise ValueError(f"not a size: {text!r} (use e.g. 1GB, 200MB, 10MiB)")
    return int(float(m.group(1)) * _UNITS[(m.group(2) or "").upper()])


def ratio(value: float | None, baseline: float | None) -> float | None:
    """value / baseline, or None when either is missing or the baseline is not positive."""
    if value is None or baseline is None or baseline <= 0:
        return None
    return value / baseline


class Op(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="


@dataclass(frozen=True)
class Target:
    """A target a figure is held to, with the words the issue uses for it."""

    op: Op
    value: float
    label: str = ""

    def met(self, value: float) -> bool:
        return value >= self.value if self.op is Op.AT_LEAST else value <= self.value

    def describe(self, unit: str) -> str:
        return self.label or f"{self.op.value} {format_value(self.value, unit)}"


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None  # None: could not be measured (see the section's notes)
    unit: str  # "claims/s", "MB/s", "MB", "x" (a ratio), "s"
    target: Target | None = None

    @property
    def met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.target.met(self.value)


@dataclass(frozen=True)
class Section:
    title: str
    figures: tuple[Figure, ...] = ()
    notes: tuple[str, ...] = ()
    skipped: str | None = None  # why the stage did not run


@dataclass(frozen=True)
class Machine:
    cpu_model: str
    cores: int
    memory_bytes: int
    python: str
    kafka: str
    system: str
    date: str  # ISO 8601, UTC


@dataclass(frozen=True)
class Report:
    machine: Machine
    command: str
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = field(default=())


def format_value(value: float | None, unit: str) -> str:
    """A figure as people read it: thousands separators, ratios to two decimals."""
    if value is None:
        return "n/a"
    if unit == "x":
        return f"{value:.2f} x"
    if unit in ("MB", "s"):
        return f"{value:,.1f} {unit}"
    if unit == "MB/s":
        return f"{value:,.1f} MB/s" if value < 100 else f"{value:,.0f} MB/s"
    return f"{value:,.0f} {unit}".rstrip()


def verdict(figure: Figure) -> str:
    met = figure.met
    return "" if met is None else ("met" if met else "NOT met")


def section_rows(section: Section) -> list[tuple[str, str, str, str]]:
    """(measure, value, target, verdict) per figure."""
    return [
        (f.name, format_value(f.value, f.unit),
         f.target.describe(f.unit) if f.target else "", verdict(f))
        for f in section.figures
    ]  # fmt: skip


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(report: Report) -> str:
    """benchmarks/results.md."""
    m = report.machine
    lines = [
        "# edimesh benchmark results",
        "",
        "Written by `edimesh bench all`; every ratio is measured in the same run as its baseline.",
        "",
        "## Machine",
        "",
        f"- CPU: {m.cpu_model}, {m.cores} cores",
        f"- Memory: {m.memory_bytes / 2**30:.1f} GiB",
        f"- System: {m.system}",
        f"- Python: {m.python}",
        f"- Kafka: {m.kafka} (the project's local broker, one node)",
        f"- Date: {m.date}",
        "",
        "## Command",
        "",
        "```",
        report.command,
        "```",
    ]
    if report.notes:
        lines += ["", *(f"> {note}" for note in report.notes)]
    for section in report.sections:
        lines += ["", f"## {section.title}", ""]
        if section.skipped is not None:
            lines.append(f"Skipped: {section.skipped}")
            continue
        lines += ["| measure | value | target | |", "|---|---:|---|---|"]
        lines += [
            "| " + " | ".join(_md_cell(c) for c in row) + " |" for row in section_rows(section)
        ]
        if section.notes:
            lines.append("")
            lines += [f"- {note}" for note in section.notes]
    return "\n".join(lines) + "\n"


def summary_counts(sections: Sequence[Section]) -> tuple[int, int]:
    """(targets met, targets checked) over every measured figure."""
    checked = [f.met for s in sections for f in s.figures if f.met is not None]
    return sum(1 for met in checked if met), len(checked)
