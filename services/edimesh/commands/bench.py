"""`edimesh bench`: benchmarks that print figures as ratios against baselines run alongside."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table

from edimesh import native
from edimesh.bench import report
from edimesh.bench.files import synth_file
from edimesh.bench.split import Measurement, measure
from edimesh.commands.output import stderr, stdout
from edimesh.errors import EdiMeshError

app = typer.Typer(help="Benchmarks: figures are ratios measured in one run.", no_args_is_help=True)


def parse_size(text: str) -> int:
    """'1GB', '200MB', '10MiB' or a number of bytes."""
    try:
        return report.parse_size(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _generate(size: int, claims_per_set: int, workdir: Path | None) -> Path:
    with Progress(
        TextColumn("generating synthetic 837P"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=stderr,
        transient=True,
    ) as progress:
        task = progress.add_task("synth", total=size)
        return synth_file(
            size,
            claims_per_set=claims_per_set,
            directory=workdir,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )


@app.command()
def split(
    size: Annotated[str, typer.Option(help="Size of the large file.")] = "1GB",
    small: Annotated[str, typer.Option(help="Size of the small file (RSS reference).")] = "10MB",
    claims_per_set: Annotated[int, typer.Option(help="Claims per ST..SE.")] = 100,
    quick: Annotated[bool, typer.Option(help="A 200 MB large file.")] = False,
    workdir: Annotated[
        Path | None, typer.Option(help="Where generated files are kept (default: user cache).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """X12 core vs chunked bytes.split vs the naive decode-and-split loop, on one 837P."""
    large_bytes = parse_size("200MB" if quick else size)
    small_bytes = parse_size(small)
    try:
        large = _generate(large_bytes, claims_per_set, workdir)
        small_file = _generate(small_bytes, claims_per_set, workdir)
        results: dict[str, Measurement] = {}
        for mode in ("core", "split", "naive"):
            with stderr.status(f"measuring {mode} on {large.stat().st_size / 1e6:.0f} MB"):
                results[mode] = measure(mode, large)
        with stderr.status("measuring core on the small file"):
            core_small = measure("core", small_file)
    except (EdiMeshError, OSError) as exc:
        stderr.print(f"[red]bench failed:[/] {exc}")
        raise typer.Exit(1) from None
    core, base, naive = results["core"], results["split"], results["naive"]
    summary = {
        "file_bytes": core.bytes,
        "claims_per_set": claims_per_set,
        "core_mb_s": round(core.mb_per_s, 1),
        "core_sets_per_s": round(core.units / core.seconds),
        "split_mb_s": round(base.mb_per_s, 1),
        "naive_mb_s": round(naive.mb_per_s, 1),
        "core_vs_split": round(core.mb_per_s / base.mb_per_s, 3),
        "core_vs_naive": round(core.mb_per_s / naive.mb_per_s, 2),
        "core_peak_rss_mb": round(core.peak_rss_bytes / 2**20, 1),
        "core_peak_rss_small_mb": round(core_small.peak_rss_bytes / 2**20, 1),
        "rss_large_vs_small": round(core.peak_rss_bytes / core_small.peak_rss_bytes, 3),
        "sets": core.units,
    }
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
        return
    table = Table(
        title=f"split: {core.bytes / 1e6:.0f} MB synthetic 837P, {claims_per_set} claims per set"
    )
    for column in ("measure", "MB/s", "units/s", "peak RSS MB"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    for label, m, unit in (
        ("X12 core (sets)", core, "sets"),
        ("chunked bytes.split (segments)", base, "segs"),
        ("naive split(delim, 1) (segments)", naive, "segs"),
        ("X12 core on the small file", core_small, "sets"),
    ):
        table.add_row(
            label,
            f"{m.mb_per_s:,.0f}",
            f"{m.units / m.seconds:,.0f} {unit}",
            f"{m.peak_rss_bytes / 2**20:.1f}",
        )
    stdout.print(table)
    stdout.print(
        f"core / chunked split = {summary['core_vs_split']}   "
        f"core / naive = {summary['core_vs_naive']}   "
        f"peak RSS large / small = {summary['rss_large_vs_small']}"
    )


@app.command()
def validate(
    claims: Annotated[int, typer.Option(help="Claims in the synthetic 837P.")] = 20_000,
    claims_per_set: Annotated[int, typer.Option(help="Claims per ST..SE.")] = 100,
    runs: Annotated[int, typer.Option(help="Timed passes over the sets (best is reported).")] = 5,
    with_json: Annotated[
        bool, typer.Option("--with-json", help="Also serialize each set's normalized JSON.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    compare_pure: Annotated[bool, typer.Option(
        help="Also measure pure Python in the same run (when the compiled build is current).",
    )] = True,
) -> None:
    """Claims/s for parse + models + SNIP 1-5 rules on one core, on a synthetic 837P."""
    from edimesh.bench.validate import BASELINES, TARGET, measure  # noqa: PLC0415 - heavy

    with stderr.status(f"generating {claims} claims and validating them {runs} times"):
        m = measure(claims, claims_per_set, runs, with_json=with_json)
    pure = None
    if compare_pure and native.read_status().active:
        with stderr.status("the same as pure Python, for the ratio"):
            pure = measure(claims, claims_per_set, runs, with_json=with_json, pure=True)
    summary = {
        "claims": m.claims,
        "sets": m.sets,
        "file_bytes": m.file_bytes,
        "claims_per_s_best": round(m.best),
        "claims_per_s_median": round(m.median),
        "claims_per_cpu_s_best": round(m.best_per_cpu_s or 0),
        "with_json": m.with_json,
        "build": m.build,
        "pure_python_claims_per_s_best": round(pure.best) if pure else None,
        "target": TARGET,
        "baselines_claims_per_s": BASELINES,
    }
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
        return
    stdout.print(
        f"validate: {m.claims:,} claims in {m.sets} sets ({m.file_bytes / 1e6:.1f} MB), "
        f"parse + models + SNIP 1-5{' + JSON' if m.with_json else ''}, one core"
    )
    stdout.print(
        f"  {m.best:,.0f} claims/s (best of {len(m.runs)}), {m.median:,.0f} median; "
        f"target {TARGET:,}"
    )
    if m.best_per_cpu_s is not None:  # steadier than wall clock on a shared machine
        stdout.print(f"  {m.best_per_cpu_s:,.0f} claims per CPU second (best)")
    stdout.print(f"  build: {m.build}")
    if pure is not None:
        stdout.print(f"  pure Python, same run: {pure.best:,.0f} claims/s (compiled x"
                     f"{m.best / pure.best:.2f})")
    for name, rate in BASELINES.items():
        stdout.print(f"  baseline {name}: about {rate:,} claims/s (x{m.best / rate:,.1f})")


def _print_section(section: report.Section) -> None:
    if section.skipped is not None:
        stdout.print(f"[bold]{section.title}[/]: skipped ({section.skipped})")
        return
    table = Table(title=section.title, title_justify="left")
    for column in ("measure", "value", "target", ""):
        table.add_column(column, justify="right" if column == "value" else "left")
    for row in report.section_rows(section):
        table.add_row(*row)
    stdout.print(table)
    for note in section.notes:
        stdout.print(f"  {note}")


def _command(*, quick: bool, stages: tuple[str, ...], e2e_size: str, bootstrap: str | None,
             validator_workers: int, sftp: str) -> str:  # fmt: skip
    """The command line that reproduces a run (output paths left out)."""
    argv = ["edimesh", "bench", "all"]
    argv += ["--quick"] if quick else ["--e2e-size", e2e_size]
    for name in stages:
        argv += ["--stage", name]
    if bootstrap:
        argv += ["--bootstrap", bootstrap]
    if validator_workers != 2:  # the option's default
        argv += ["--validator-workers", str(validator_workers)]
    if sftp != "embedded":
        argv += ["--sftp", sftp]
    return shlex.join(argv)


@app.command(name="all")
def all_(
    quick: Annotated[bool, typer.Option(help="Small inputs: about two minutes in all.")] = False,
    e2e_size: Annotated[str, typer.Option(help="End-to-end file size (without --quick).")] = "1GB",
    stage: Annotated[
        list[str] | None,
        typer.Option(help="Run only these stages: split, validate, splitter, validator, e2e."),
    ] = None,
    bootstrap: Annotated[
        str | None, typer.Option(help="Use this Kafka instead of starting a local broker.")
    ] = None,
    validator_workers: Annotated[
        int, typer.Option(help="Validator worker processes in the end-to-end mesh.")
    ] = 2,
    results: Annotated[
        Path | None, typer.Option(help="Where to write the markdown report ('-' for none).")
    ] = Path("benchmarks/results.md"),
    workdir: Annotated[
        Path | None, typer.Option(help="Keep service logs and staging here (default: temp).")
    ] = None,
    sftp: Annotated[
        str, typer.Option(help="End-to-end SFTP source tried first: embedded or sshd (root).")
    ] = "embedded",
    note: Annotated[list[str] | None, typer.Option(help="A note for the report.")] = None,
) -> None:
    """The whole suite: split, validate, splitter and validator services, end to end."""
    from edimesh.bench.machine import describe  # noqa: PLC0415 - heavy
    from edimesh.bench.suite import STAGES, Sizes, SuiteOptions, run_suite  # noqa: PLC0415

    stages = tuple(stage or STAGES)
    unknown = set(stages) - set(STAGES)
    if unknown:
        raise typer.BadParameter(f"unknown stage(s): {', '.join(sorted(unknown))}")
    sizes = Sizes.quick() if quick else Sizes.full(parse_size(e2e_size))
    if sftp not in {"embedded", "sshd"}:
        raise typer.BadParameter(f"--sftp is embedded or sshd, not {sftp!r}")
    options = SuiteOptions(sizes, stages, bootstrap, workdir=workdir,
                           validator_workers=validator_workers, sftp=sftp)  # fmt: skip
    command = _command(quick=quick, stages=stages if stage else (), e2e_size=e2e_size,
                       bootstrap=bootstrap, validator_workers=validator_workers,
                       sftp=sftp)  # fmt: skip
    with stderr.status("benchmarks") as status:
        sections = run_suite(options, lambda text: status.update(f"bench: {text}"))
    for section in sections:
        _print_section(section)
    met, checked = report.summary_counts(sections)
    stdout.print(f"targets met: {met} of {checked}")
    if results is not None and str(results) != "-":
        rendered = report.render_markdown(
            report.Report(describe(), command, tuple(sections), tuple(note or ()))
        )
        results.parent.mkdir(parents=True, exist_ok=True)
        results.write_text(rendered, encoding="utf-8")
        stderr.print(f"wrote {results}")
