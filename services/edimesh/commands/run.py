"""`edimesh run <service>`: one service of the mesh in the foreground, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import typer

app = typer.Typer(help="Run one service of the mesh in the foreground.", no_args_is_help=True)


@app.command()
def transfer() -> None:
    """Poll the partners' SFTP servers, stage files, publish FileStaged events."""
    from edimesh.transfer.__main__ import main  # noqa: PLC0415 - load only the service that runs

    main()


@app.command()
def splitter() -> None:
    """Split staged files into transaction-set messages, exactly once."""
    from edimesh.splitter.__main__ import main  # noqa: PLC0415 - load only the service that runs

    main()


@app.command()
def validator() -> None:
    """Validate transaction sets; route each to validated, quarantine or the DLQ, once."""
    from edimesh.validator.__main__ import main  # noqa: PLC0415 - load only the service that runs

    main()


@app.command()
def acknowledger() -> None:
    """Join group manifests with set results; publish one 999 per functional group, once."""
    from edimesh.acknowledger.__main__ import main  # noqa: PLC0415 - load only the service that runs

    main()
