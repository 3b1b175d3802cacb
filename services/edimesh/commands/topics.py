"""`edimesh topics ...`: create the mesh's Kafka topics and show what the broker has."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.markup import escape

from edimesh.commands.output import stderr, stdout
from edimesh.errors import EdiMeshError
from edimesh.mesh.admin import ensure_topics, topic_partitions
from edimesh.mesh.bootstrap import BOOTSTRAP_ENV, DEFAULT_BOOTSTRAP, resolve_bootstrap
from edimesh.mesh.topics import mesh_topics

app = typer.Typer(
    name="topics",
    help="Create and inspect the mesh's Kafka topics (edi.*).",
    no_args_is_help=True,
)


Bootstrap = Annotated[
    str | None,
    typer.Option(
        "--bootstrap",
        help=f"Kafka host:port[,host:port]  [default: ${BOOTSTRAP_ENV} or {DEFAULT_BOOTSTRAP}]",
        show_default=False,
    ),
]
Prefix = Annotated[str, typer.Option("--prefix", help="Prepended to every topic name.")]
Timeout = Annotated[float, typer.Option("--timeout", help="Seconds to wait for the broker.")]


@app.callback()
def _main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show Kafka client logs.")
    ] = False,
) -> None:
    # aiokafka logs every failed connection attempt; the outcome is reported in one line.
    logging.getLogger("aiokafka").setLevel(logging.DEBUG if verbose else logging.CRITICAL)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """Expected failures are one line on stderr and exit code 1, never a traceback."""
    try:
        yield
    except EdiMeshError as exc:
        stderr.print(f"error: {escape(str(exc))}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@app.command()
def create(
    bootstrap: Bootstrap = None,
    prefix: Prefix = "",
    partitions: Annotated[
        int | None,
        typer.Option("--partitions", min=1, help="Partitions of every topic  [default: per topic]"),
    ] = None,
    replication_factor: Annotated[
        int,
        typer.Option(
            "--replication-factor",
            min=1,
            envvar="EDIMESH_REPLICATION_FACTOR",
            help="Replicas per partition (3 in production).",
        ),
    ] = 1,
    timeout: Timeout = 30.0,
) -> None:
    """Create the missing topics; existing ones are left as they are (drift is reported)."""
    with _one_line_errors():
        server = resolve_bootstrap(bootstrap)
        topics = mesh_topics(prefix, partitions=partitions, replication_factor=replication_factor)
        report = asyncio.run(ensure_topics(server, topics.all(), timeout_s=timeout))
    for name in report.created:
        stdout.print(f"created  {name}")
    for name in report.existing:
        stdout.print(f"exists   {name}")
    for drift in report.drift:
        stderr.print(
            f"drift    {drift.topic}: {drift.key} is {drift.actual}, declared {drift.expected}"
        )


@app.command("list")
def list_topics(
    bootstrap: Bootstrap = None,
    prefix: Prefix = "",
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list topics edimesh does not declare.")
    ] = False,
    timeout: Timeout = 30.0,
) -> None:
    """Show the declared topics with their partition count on the broker, or 'missing'."""
    with _one_line_errors():
        server = resolve_bootstrap(bootstrap)
        declared = mesh_topics(prefix).all()
        present = asyncio.run(topic_partitions(server, timeout_s=timeout))
    width = max(len(spec.name) for spec in declared)
    for spec in declared:
        count = present.get(spec.name)
        state = f"{count:>3} partitions" if count is not None else "    missing"
        schema = spec.value_schema.value if spec.value_schema else "-"
        stdout.print(f"{spec.name:<{width}}  {state}  {spec.cleanup_policy.value:<7}  {schema}")
    if show_all:
        names = {spec.name for spec in declared}
        for name in sorted(present.keys() - names):
            stdout.print(f"{name:<{width}}  {present[name]:>3} partitions  (not declared)")


@app.command()
def tail(
    topic: Annotated[str, typer.Argument(help="Full topic name, e.g. edi.validated.")],
    bootstrap: Bootstrap = None,
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Start at the oldest message, not the end.")
    ] = False,
    max_messages: Annotated[
        int | None,
        typer.Option("--max", min=1, help="Stop after this many messages.", show_default=False),
    ] = None,
    idle: Annotated[
        float | None,
        typer.Option(
            "--idle",
            min=0.1,
            show_default=False,
            help="Stop after this many seconds without a new message.",
        ),
    ] = None,
    show_phi: Annotated[
        bool,
        typer.Option(
            "--show-phi",
            help="Print X12 bodies, content and control numbers as they"
            " are (they are PHI; default: withheld or keyed tokens).",
        ),
    ] = False,
) -> None:
    """Print a topic's committed messages, decoded, as JSON lines (PHI withheld by default)."""
    from edimesh.local.tail import default_masker, render, tail_topic  # noqa: PLC0415

    masker = None if show_phi else default_masker()
    with _one_line_errors():
        server = resolve_bootstrap(bootstrap)
        asyncio.run(
            tail_topic(
                server,
                topic,
                lambda message: _print_line(render(message, masker)),
                from_beginning=from_beginning,
                max_messages=max_messages,
                idle_s=idle,
            )
        )


def _print_line(line: bytes) -> None:
    # Plain write, not rich: JSON lines must not be wrapped, highlighted or markup-parsed.
    sys.stdout.write(line.decode("utf-8") + "\n")
    sys.stdout.flush()
