"""Where things live: the jar cache (per Kafka version) and the layout of one broker data dir."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from edimesh.localbroker.defaults import ENV_DATA_DIR, ENV_KAFKA_HOME


def kafka_home(version: str, env: Mapping[str, str] | None = None) -> Path:
    """Jar cache for one Kafka version: `$EDIMESH_KAFKA_HOME`, else
    `${XDG_CACHE_HOME:-~/.cache}/edimesh/kafka-<version>`."""
    env = os.environ if env is None else env
    if override := env.get(ENV_KAFKA_HOME):
        return Path(override).expanduser()
    cache = env.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(cache) / "edimesh" / f"kafka-{version}"


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    """Data dir of the CLI's broker: `$EDIMESH_KAFKA_DATA`, else
    `${XDG_STATE_HOME:-~/.local/state}/edimesh/kafka`."""
    env = os.environ if env is None else env
    if override := env.get(ENV_DATA_DIR):
        return Path(override).expanduser()
    state = env.get("XDG_STATE_HOME") or str(Path("~/.local/state").expanduser())
    return Path(state) / "edimesh" / "kafka"


@dataclass(frozen=True)
class DataLayout:
    """Files of one broker instance, all under `root`."""

    root: Path

    def __post_init__(self) -> None:
        # Absolute and canonical: the JVM runs with this as its cwd, and the path is how a
        # running broker is recognised in the process table.
        object.__setattr__(self, "root", self.root.expanduser().resolve())

    @property
    def config_dir(self) -> Path:
        return self.root / "config"

    @property
    def server_properties(self) -> Path:
        return self.config_dir / "server.properties"

    @property
    def log4j2_config(self) -> Path:
        """Kafka 4.x (Log4j2 picks the parser by file extension)."""
        return self.config_dir / "log4j2.xml"

    @property
    def log4j_config(self) -> Path:
        """Kafka 3.9 (reload4j)."""
        return self.config_dir / "log4j.properties"

    @property
    def kraft_dir(self) -> Path:
        return self.root / "kraft"

    @property
    def meta_properties(self) -> Path:
        return self.kraft_dir / "meta.properties"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def server_log(self) -> Path:
        return self.logs_dir / "server.log"

    @property
    def console_log(self) -> Path:
        """The JVM's own stdout/stderr (crashes before logging starts land here)."""
        return self.logs_dir / "broker.out"

    @property
    def pid_file(self) -> Path:
        return self.root / "broker.pid"

    @property
    def cluster_id_file(self) -> Path:
        return self.root / "cluster.id"

    def make_dirs(self) -> None:
        for path in (self.config_dir, self.kraft_dir, self.logs_dir):
            path.mkdir(parents=True, exist_ok=True)
