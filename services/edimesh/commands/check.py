"""`edimesh check PATH...`: offline check of X12 files.

`--level envelope` (the default) checks delimiters, ISA/GS/ST syntax, counts and control
numbers; `--level full` adds the SNIP 1-5 validation of every set of a supported guide.
Exit status: 0 when every file is clean (warnings allowed), 1 when a file has errors,
2 for usage errors or unreadable files. Output names envelope ids, codes and positions only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from edimesh.checker.reader import scan_file
from edimesh.checker.report import FileReport
from edimesh.commands.output import stderr, stdout
from edimesh.x12.events import Event, TransactionSetUnit

PROGRESS_FROM_BYTES = 4 << 20
EXIT_CLEAN, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2



LEVELS = ("envelope", "full")


def check(
    paths: Annotated[list[Path], typer.Argument(help="X12 files to check.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    level: Annotated[
        str, typer.Option(help="envelope: envelopes only; full: also SNIP 1-5 validation.")
    ] = "envelope",
) -> None:
    """Check X12 files: envelopes (delimiters, ISA/GS/ST, counts), and with --level full the
    transaction sets against their implementation guides (SNIP 1-5)."""
    if level not in LEVELS:
        raise typer.BadParameter(f"--level must be one of {', '.join(LEVELS)}")
    reports: list[dict[str, Any]] = []
    status = EXIT_CLEAN
    for path in paths:
        report = _check_one(path, show_progress=not as_json or stderr.is_terminal,
                            full=level == "full")
        reports.append(report)
        if report["status"] == "unreadable":
            status = EXIT_UNREADABLE
        elif report["status"] == "problems" and status == EXIT_CLEAN:
            status = EXIT_PROBLEMS
        if not as_json:
            _render(report)
    if as_json:
        sys.stdout.buffer.write(
            orjson.dumps({"files": reports, "exit_status": status}, option=orjson.OPT_INDENT_2)
        )
        sys.stdout.buffer.write(b"\n")
    raise typer.Exit(status)


def _check_one(path: Path, show_progress: bool, full: bool = False) -> dict[str, Any]:
    report = FileReport(str(path))
    add = _full_adder(report) if full else report.add
    try:
        if not path.is_file():
            raise IsADirectoryError(21, "not a regular file") if path.is_dir() else (
                FileNotFoundError(2, "no such file")
            )
        size = path.stat().st_size
        if show_progress and size >= PROGRESS_FROM_BYTES:
            with _progress() as progress:
                task = progress.add_task(path.name, total=size)
                for event in scan_file(path, on_progress=lambda n: progress.advance(task, n)):
                    add(event)
        else:
            for event in scan_file(path):
                add(event)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return {"file": str(path), "status": "unreadable", "error": reason}
    return report.as_dict()


def _full_adder(report: FileReport) -> Callable[[Event], None]:
    from edimesh.validation import validate_unit  # noqa: PLC0415 - loads guides only when asked

    def add(event: Event) -> None:
        report.add(event)
        if isinstance(event, TransactionSetUnit) and event.raw is not None:
            report.add_validation(event, validate_unit(event))

    return add


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=stderr,
        transient=True,
    )


def _render(report: dict[str, Any]) -> None:
    name = escape(report["file"])
    if report["status"] == "unreadable":
        stdout.print(f"[bold red]unreadable[/] {name}: {escape(report['error'])}")
        return
    totals = report["totals"]
    types = ", ".join(f"{k}x{v}" for k, v in totals["set_types"].items()) or "no sets"
    verdict = "[green]clean[/]" if report["status"] == "clean" else "[red]problems[/]"
    stdout.print(
        f"[bold]{name}[/] {verdict}: {totals['interchanges']} interchange(s), "
        f"{totals['groups']} group(s), {totals['sets']} set(s) ({types}), "
        f"{totals['errors']} error(s), {totals['warnings']} warning(s)"
    )
    for ic in report["interchanges"]:
        sender = escape(str(ic["sender_id"]))
        receiver = escape(str(ic["receiver_id"]))
        stdout.print(
            f"  ISA #{ic['index']} {sender} → {receiver} control {ic['control_number']} "
            f"version {ic['version']}: TA1 {ic['ta1_code']}"
        )
        for g in ic["groups"]:
            set_types = ", ".join(f"{k}x{v}" for k, v in g["set_types"].items())
            stdout.print(
                f"    GS #{g['index']} {escape(g['functional_id'])} control "
                f"{escape(g['control_number'])} {escape(g['version'])}: {g['sets']} set(s) "
                f"({set_types}), {g['rejected_sets']} rejected"
            )
    for p in report["problems"]:
        colour = "red" if p["severity"] == "error" else "yellow"
        loc = p["location"]
        where = " ".join(
            f"{label} {loc[key]}"
            for key, label in (
                ("interchange", "interchange"),
                ("group", "group"),
                ("transaction_set", "set"),
                ("segment_position", "segment"),
                ("segment_id", "at"),
                ("loop_id", "loop"),
                ("element_ref", "element"),
                ("byte_offset", "byte"),
            )
            if key in loc
        )
        label = f"SNIP {p['snip']} " if "snip" in p else ""
        code = f"{label}{_code_label(p)} {p['code']}" if p["code"] else label.strip() or "-"
        stdout.print(
            f"  [{colour}]{p['severity']}[/] {code} {p['kind']}: {escape(p['message'])} ({where})"
        )
    if report["problems_omitted"]:
        stdout.print(f"  … {report['problems_omitted']} more problem(s) not shown")
    validation = report.get("validation")
    if validation:
        routes = ", ".join(f"{k} {v}" for k, v in validation["routes"].items())
        stdout.print(f"  validation: {routes}")
        for note in validation["notes"]:
            stdout.print(f"  [dim]note: {escape(note)}[/]")


def _code_label(problem: dict[str, Any]) -> str:
    if "snip" in problem:
        code = str(problem["code"])
        return "IK502" if code.startswith("I6") and problem["kind"].endswith(
            "unsupported_guide") else "IK403" if problem.get("location", {}).get(
            "element_ref") else "IK304"
    return {"interchange": "TA1", "group": "AK905", "set": "IK502"}.get(problem["level"], "")
