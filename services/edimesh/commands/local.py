"""`edimesh local`: the whole mesh on this machine, on generated samples or your own files."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from edimesh.commands.output import stderr, stdout
from edimesh.errors import EdiMeshError

DEFAULT_CLAIMS = 2000


def local(
    claims: Annotated[
        int, typer.Option("--claims", min=1, help="Generated claims in total (837P samples).")
    ] = DEFAULT_CLAIMS,
    errors: Annotated[
        bool,
        typer.Option(
            "--errors",
            help="Mix in broken files: envelope, schema, business, TA1,"
            " truncated, a repeated interchange, not X12.",
        ),
    ] = False,
    inbox: Annotated[
        Path | None,
        typer.Option(
            "--inbox", help="Feed the files of this folder instead of samples.", show_default=False
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output folder (validated, quarantine, 999s).  [default: RUN_DIR/out]",
            show_default=False,
        ),
    ] = None,
    run_dir: Annotated[
        Path | None,
        typer.Option(
            "--run-dir",
            help="Broker data, SFTP inbox, staging, keys and logs;"
            " emptied at start.  [default: $XDG_STATE_HOME/edimesh/local]",
            show_default=False,
        ),
    ] = None,
    sftp: Annotated[
        str | None,
        typer.Option(
            "--sftp",
            metavar="HOST:PORT",
            show_default=False,
            help="Use this SFTP server instead of the embedded one (with --sftp-user,"
            " --sftp-key, --sftp-known-hosts).",
        ),
    ] = None,
    sftp_user: Annotated[str, typer.Option("--sftp-user")] = "edimesh",
    sftp_key: Annotated[Path | None, typer.Option("--sftp-key", show_default=False)] = None,
    sftp_known_hosts: Annotated[
        Path | None, typer.Option("--sftp-known-hosts", show_default=False)
    ] = None,
    sftp_inbound: Annotated[str, typer.Option("--sftp-inbound")] = "/inbound",
    sftp_archive: Annotated[str, typer.Option("--sftp-archive")] = "/archive",
    partitions: Annotated[
        int, typer.Option("--partitions", min=1, max=64, help="Partitions per topic.")
    ] = 2,
    keep_running: Annotated[
        bool, typer.Option("--keep-running", help="Leave the mesh up after the summary.")
    ] = False,
    trace: Annotated[
        bool, typer.Option("--trace", help="Services print their spans to their log files.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds before giving up.")
    ] = 600.0,
    grace: Annotated[
        float, typer.Option("--grace", min=0, help="Seconds to drain before SIGKILL.")
    ] = 30.0,
) -> None:
    """Run the whole mesh locally: Kafka, an SFTP source, transfer, splitter, validator (and
    the acknowledger), feed it, show progress, print a summary and stop everything."""
    # Imported here: `edimesh --help` should not pay for the broker, asyncssh and kafka.
    from edimesh.local.layout import LocalOptions, RemoteSftp, parse_host_port  # noqa: PLC0415
    from edimesh.local.runner import LocalRun, default_run_dir  # noqa: PLC0415

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    remote = None
    if sftp is not None:
        if sftp_key is None or sftp_known_hosts is None:
            raise typer.BadParameter("--sftp needs --sftp-key and --sftp-known-hosts")
        try:
            host, port = parse_host_port(sftp)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--sftp") from None
        remote = RemoteSftp(
            host,
            port,
            sftp_user,
            sftp_key.resolve(),
            sftp_known_hosts.resolve(),
            sftp_inbound,
            sftp_archive,
        )
    root = (run_dir or default_run_dir()).expanduser().resolve()
    options = LocalOptions(
        run_dir=root,
        out_dir=(out or root / "out").expanduser().resolve(),
        claims=claims,
        errors=errors,
        inbox=inbox.expanduser().resolve() if inbox else None,
        sftp=remote,
        partitions=partitions,
        keep_running=keep_running,
        trace=trace,
        timeout_s=timeout,
        grace_s=grace,
    )
    try:
        code = LocalRun(options, stdout, stderr).run()
    except EdiMeshError as exc:
        stderr.print(f"error: {escape(str(exc))}")
        raise typer.Exit(1) from None
    raise typer.Exit(code)
