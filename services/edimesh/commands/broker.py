"""`edimesh broker ...`: fetch, start, stop and inspect the project's local Kafka broker."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.logging import RichHandler
from rich.text import Text

from edimesh.commands.output import stderr, stdout
from edimesh.errors import ConfigError
from edimesh.localbroker import (
    DEFAULT_KAFKA_VERSION,
    BrokerConfig,
    LocalBroker,
    broker_status,
    default_data_dir,
    fetch_jars,
)
from edimesh.localbroker.defaults import (
    DEFAULT_CONTROLLER_PORT,
    DEFAULT_PORT,
    ENV_DATA_DIR,
    ENV_KAFKA_VERSION,
)
from edimesh.localbroker.logtail import tail_lines
from edimesh.localbroker.paths import DataLayout

app = typer.Typer(
    name="broker",
    help="A real Apache Kafka broker on 127.0.0.1, from Maven Central jars (no Docker).",
    no_args_is_help=True,
)


EXIT_NOT_RUNNING = 3  # LSB convention for `status` of a stopped service

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar=ENV_DATA_DIR,
        help="Broker state: config, KRaft logs, server.log."
        "  [default: $XDG_STATE_HOME/edimesh/kafka]",
        show_default=False,
    ),
]
KafkaVersion = Annotated[
    str, typer.Option("--kafka-version", envvar=ENV_KAFKA_VERSION, help="Apache Kafka release.")
]


def _configure_logging(verbose: bool) -> None:
    """Library progress (fetching, formatting, ready) on stderr; added once per process."""
    logger = logging.getLogger("edimesh.localbroker")
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    if not any(isinstance(handler, RichHandler) for handler in logger.handlers):
        logger.addHandler(RichHandler(console=stderr, show_time=False, show_path=False))
        logger.propagate = False  # printed here once, not again by a root handler
    # Readiness probes of a broker that is down are expected to fail; no client noise.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More progress detail.")] = False,
) -> None:
    _configure_logging(verbose)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """Every expected failure is one line on stderr and exit code 1, never a traceback."""
    try:
        yield
    except (ConfigError, OSError) as exc:  # OSError: a data dir we may not write, a full disk
        stderr.print(Text(f"error: {exc}", style="red"))
        raise typer.Exit(1) from None


def _data_dir(option: Path | None) -> Path:
    return (option or default_data_dir()).expanduser().resolve()


@app.command()
def fetch(kafka_version: KafkaVersion = DEFAULT_KAFKA_VERSION) -> None:
    """Download the broker's jars with Maven into the cache (once; later calls do nothing).

    Prints the folder that holds them.
    """
    with _one_line_errors():
        libs = fetch_jars(kafka_version)
    stdout.print(str(libs))


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@app.command()
def start(
    *,
    port: Annotated[int, typer.Option(help="Client (PLAINTEXT) port.")] = DEFAULT_PORT,
    controller_port: Annotated[int, typer.Option(help="KRaft controller port.")] = (
        DEFAULT_CONTROLLER_PORT
    ),
    data_dir: DataDir = None,
    kafka_version: KafkaVersion = DEFAULT_KAFKA_VERSION,
    foreground: Annotated[
        bool, typer.Option("--foreground", help="Stay attached; Ctrl-C stops the broker.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait until ready.")] = 120.0,
    heap: Annotated[str, typer.Option(help="JVM -Xmx.")] = "1g",
) -> None:
    """Start the broker (detached unless --foreground) and wait until it answers Kafka requests."""
    with _one_line_errors():
        config = BrokerConfig(
            data_dir=_data_dir(data_dir),
            port=port,
            controller_port=controller_port,
            kafka_version=kafka_version,
            heap_max=heap,
            start_timeout=timeout,
        )
        broker = LocalBroker(config)
        if foreground:
            signal.signal(signal.SIGTERM, _raise_interrupt)  # stop the JVM too on SIGTERM
        broker.start(foreground=foreground)
    took = "" if broker.ready_seconds is None else f" in {broker.ready_seconds:.1f}s"
    stdout.print(
        f"Kafka {kafka_version} ready at {broker.bootstrap}{took} (pid {broker.pid});"
        f" data in {config.data_dir}"
    )
    if not foreground:
        return
    try:
        code = broker.wait()
    except KeyboardInterrupt:
        broker.stop()
        code = 0
    raise typer.Exit(code)


@app.command()
def stop(
    data_dir: DataDir = None,
    timeout: Annotated[float, typer.Option(help="Seconds before SIGTERM becomes SIGKILL.")] = 30.0,
) -> None:
    """Stop the broker of a data dir (SIGTERM, then SIGKILL). Not running is not an error."""
    with _one_line_errors():
        config = BrokerConfig(data_dir=_data_dir(data_dir), stop_timeout=timeout)
        stopped = LocalBroker(config).stop()
    stdout.print("stopped" if stopped else "not running")


@app.command()
def status(data_dir: DataDir = None) -> None:
    """Is the broker running and answering? Exit 0 ready, 1 running but not ready, 3 stopped."""
    with _one_line_errors():
        state = broker_status(_data_dir(data_dir))
    if not state.running:
        stdout.print(f"not running (data dir {state.data_dir})")
        raise typer.Exit(EXIT_NOT_RUNNING)
    readiness = "ready" if state.ready else "NOT answering Kafka requests"
    stdout.print(f"running at {state.bootstrap} (pid {state.pid}), {readiness}")
    if not state.ready:
        raise typer.Exit(1)


@app.command()
def logs(
    data_dir: DataDir = None,
    lines: Annotated[int, typer.Option("--lines", "-n", help="How many lines.")] = 50,
) -> None:
    """Print the end of the broker's server.log."""
    layout = DataLayout(_data_dir(data_dir))
    text = tail_lines(layout.server_log, lines)
    if not text:
        stderr.print(Text(f"error: no log at {layout.server_log}", style="red"))
        raise typer.Exit(1)
    for line in text:
        stdout.print(Text(line))
