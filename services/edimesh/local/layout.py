"""Where a local run keeps its things, and what it needs to be told (pure)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from edimesh.errors import ConfigError

MARKER = ".edimesh-local"


@dataclass(frozen=True, slots=True)
class RemoteSftp:
    """A real SFTP server to use instead of the embedded one (`--sftp HOST:PORT`)."""

    host: str
    port: int
    user: str
    private_key: Path
    known_hosts: Path
    inbound_dir: str = "/inbound"
    archive_dir: str = "/archive"


@dataclass(frozen=True, slots=True)
class LocalOptions:
    run_dir: Path
    out_dir: Path
    claims: int
    errors: bool = False
    inbox: Path | None = None
    sftp: RemoteSftp | None = None
    partitions: int = 2
    keep_running: bool = False
    trace: bool = False
    timeout_s: float = 600.0
    grace_s: float = 30.0
    heap: str = "768m"
    seed: int = 0


@dataclass(frozen=True, slots=True)
class RunLayout:
    root: Path

    @property
    def kafka(self) -> Path:
        return self.root / "kafka"

    @property
    def sftp_root(self) -> Path:
        return self.root / "sftp"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def staging(self) -> Path:
        return self.root / "staging"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def partners_file(self) -> Path:
        return self.root / "partners.toml"

    @property
    def pids_file(self) -> Path:
        return self.root / "pids.json"

    @property
    def marker(self) -> Path:
        return self.root / MARKER

    def prepare(self, out_dir: Path) -> None:
        """A fresh run in `root`: the last run's broker data, inbox, staging, keys and default
        outputs go (a Kafka log left over would be counted again). Only a folder this code
        made (it holds the marker) is ever emptied."""
        if self.root.exists() and any(self.root.iterdir()) and not self.marker.exists():
            raise ConfigError(
                f"run dir {self.root} is not empty and was not made by edimesh local:"
                " give an empty or new --run-dir"
            )
        if out_dir.exists() and any(out_dir.iterdir()) and not out_dir.is_relative_to(self.root):
            raise ConfigError(f"--out {out_dir} is not empty: give an empty or new folder")
        for folder in (self.kafka, self.sftp_root, self.keys, self.staging, self.logs, out_dir):
            if folder.is_relative_to(self.root) and folder.exists():
                shutil.rmtree(folder)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.marker.write_text("made by edimesh local; emptied by its next run\n", encoding="utf-8")
        for folder in (self.staging, self.logs, self.keys):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def parse_host_port(value: str) -> tuple[str, int]:
    """'host:port' (or '[v6]:port') -> (host, port); ValueError naming the problem."""
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{value!r} is not HOST:PORT")
    return host, int(port)
