"""The `edimesh` command: one entry point, one sub-command module per concern."""

from __future__ import annotations

import typer

from edimesh.commands import bench, broker, check, dlq, local, run, topics

app = typer.Typer(
    name="edimesh",
    help="Healthcare X12 EDI from partner SFTP through Kafka, exactly once, without PHI leaks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(broker.app, name="broker")
app.add_typer(topics.app, name="topics")
app.add_typer(bench.app, name="bench")
app.add_typer(run.app, name="run")
app.add_typer(dlq.app, name="dlq")
app.command(name="check")(check.check)
app.command(name="local")(local.local)


def main() -> None:
    app()
