"""`edimesh dlq replay`: send chosen dead letters back to the topic they failed on.

It prints one masked line per chosen letter (where it sits in the DLQ, when and why it failed,
where it came from, the keyed token of its key and the payload size), never a key, value or
header value: the DLQ holds PHI.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape

from edimesh.commands.output import stderr, stdout
from edimesh.errors import EdiMeshError
from edimesh.mesh.bootstrap import BOOTSTRAP_ENV, DEFAULT_BOOTSTRAP, resolve_bootstrap
from edimesh.mesh.dlq_replay import (
    LetterSummary,
    ReplayFilter,
    parse_since,
    replay_dead_letters,
)
from edimesh.mesh.topics import mesh_topics
from edimesh.telemetry.masking import Masker
from edimesh.telemetry.settings import TelemetrySettings

app = typer.Typer(
    name="dlq", help="Inspect and replay the dead-letter topic (edi.dlq).", no_args_is_help=True
)


def _line(summary: LetterSummary) -> str:
    s = summary
    return (
        f"dlq {s.dlq_partition}/{s.dlq_offset}  {s.failed_at.isoformat(timespec='seconds')}  "
        f"{s.service}  {s.error_class}  attempts={s.attempts}  "
        f"from {s.original_topic}/{s.original_partition}/{s.original_offset}  "
        f"key={s.key_token}  {s.value_bytes} bytes  {s.error_message}"
    )


@app.command()
def replay(
    service: Annotated[
        list[str] | None,
        typer.Option("--service", help="Only letters from this service (repeatable)."),
    ] = None,
    error_class: Annotated[
        list[str] | None,
        typer.Option(
            "--error-class",
            help="Only this error class, qualified or bare, e.g. SerializationError (repeatable).",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only letters that failed since: 30m, 2h, 7d or ISO 8601."),
    ] = None,
    original_topic: Annotated[
        list[str] | None,
        typer.Option("--original-topic", help="Only letters from this topic (repeatable)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Replay at most this many.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be replayed; send nothing.")
    ] = False,
    bootstrap: Annotated[
        str | None,
        typer.Option(
            "--bootstrap",
            help=f"Kafka host:port[,host:port]  [default: ${BOOTSTRAP_ENV} or {DEFAULT_BOOTSTRAP}]",
            show_default=False,
        ),
    ] = None,
    prefix: Annotated[str, typer.Option("--prefix", help="Prefix of the mesh topics.")] = "",
) -> None:
    """Re-publish chosen dead letters' original key, value and headers to their original topic."""
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # outcome is reported in one line
    try:
        server = resolve_bootstrap(bootstrap)
        chosen = ReplayFilter(
            services=frozenset(service or ()),
            error_classes=frozenset(error_class or ()),
            since=parse_since(since, datetime.now(UTC)) if since else None,
            original_topics=frozenset(original_topic or ()),
        )
        # Same key and key id as the services, so the tokens match their logs and spans.
        masker = Masker.from_settings(TelemetrySettings(service_name="edimesh-dlq"))
        report = asyncio.run(
            replay_dead_letters(
                server,
                mesh_topics(prefix),
                chosen,
                masker,
                dry_run=dry_run,
                on_letter=lambda s: stdout.print(escape(_line(s))),
                limit=limit,
            )
        )
    except EdiMeshError as exc:
        stderr.print(f"error: {escape(str(exc))}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    for summary in report.refused:
        stderr.print(escape("refused (not a mesh topic): " + _line(summary)))
    for partition, offset in report.undecodable:
        stderr.print(f"skipped  dlq {partition}/{offset}: not a DeadLetter record")
    verb = "would replay" if dry_run else "replayed"
    count = report.chosen if dry_run else report.replayed
    rest = " (--limit reached; the rest were not read)" if report.limit_reached else ""
    stdout.print(f"{verb} {count} of {report.read} dead letters{rest}")
