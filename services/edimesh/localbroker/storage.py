"""Formatting the KRaft metadata directory once, with a cluster id remembered in the data dir."""

from __future__ import annotations

import base64
import logging
import secrets
import subprocess
from pathlib import Path

from edimesh.localbroker.config import BrokerConfig, logging_jvm_options
from edimesh.localbroker.errors import BrokerError
from edimesh.localbroker.logtail import failure_summary

logger = logging.getLogger(__name__)

FORMAT_TIMEOUT_S = 120.0


def new_cluster_id() -> str:
    """Kafka's Uuid text form: 16 random bytes, base64url, no padding (22 chars). Like Kafka,
    avoid a leading '-' (command-line parsers would take it for an option)."""
    while True:
        text = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")
        if not text.startswith("-"):
            return text


def cluster_id(config: BrokerConfig) -> str:
    """The data dir's cluster id, created on first use."""
    path = config.layout.cluster_id_file
    if path.is_file() and (existing := path.read_text(encoding="ascii").strip()):
        return existing
    created = new_cluster_id()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(created + "\n", encoding="ascii")
    return created


def classpath(libs: Path) -> str:
    return f"{libs}/*"


def ensure_formatted(config: BrokerConfig, java: Path, libs: Path) -> None:
    """Run `kafka.tools.StorageTool format` unless the metadata dir already is formatted.

    Expects the config files to be written already.
    """
    layout = config.layout
    if layout.meta_properties.is_file():
        return
    argv = [
        str(java), "-Xmx256m", *logging_jvm_options(config, "storage-tool.log"),
        "-cp", classpath(libs), "kafka.tools.StorageTool", "format",
        "--cluster-id", cluster_id(config),
        "--config", str(layout.server_properties),
        "--ignore-formatted",
    ]  # fmt: skip
    logger.info("formatting KRaft storage in %s", layout.kraft_dir)
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            argv, capture_output=True, text=True, timeout=FORMAT_TIMEOUT_S, check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise BrokerError(
            f"formatting Kafka storage in {layout.kraft_dir} took over {FORMAT_TIMEOUT_S:.0f}s:"
            " check the machine's load and retry"
        ) from exc
    if done.returncode != 0 or not layout.meta_properties.is_file():
        reason = failure_summary((done.stdout + done.stderr).splitlines()) or "no output"
        raise BrokerError(
            f"formatting Kafka storage in {layout.kraft_dir} failed ({reason}): fix the broker"
            f" settings, or delete {layout.root} to start from scratch"
        )
