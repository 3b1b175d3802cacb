"""Validator settings, from `EDIMESH_VALIDATOR_*` environment variables (read once, frozen).

| variable                                 | default             | meaning                        |
|------------------------------------------|---------------------|--------------------------------|
| EDIMESH_VALIDATOR_BOOTSTRAP              | $EDIMESH_BOOTSTRAP  | Kafka bootstrap servers        |
| EDIMESH_VALIDATOR_GROUP_ID               | edimesh-validator   | consumer group; prefixes the   |
|                                          |                     | transactional ids              |
| EDIMESH_VALIDATOR_INSTANCE_ID            | unset               | static group membership        |
| EDIMESH_VALIDATOR_TOPIC_PREFIX           | ""                  | prefix of every mesh topic     |
| EDIMESH_VALIDATOR_STAGING_ROOT           | /var/lib/edimesh/   | by-reference bodies must lie   |
|                                          | staging             | under it                       |
| EDIMESH_VALIDATOR_BATCH_MAX_RECORDS      | 500                 | input sets per transaction     |
| EDIMESH_VALIDATOR_WORKER_PROCESSES       | 1                   | validation processes; 0 runs   |
|                                          |                     | validation in threads          |
| EDIMESH_VALIDATOR_MAX_IN_FLIGHT          | 64                  | sets being validated at once   |
| EDIMESH_VALIDATOR_MAX_ATTEMPTS           | 3                   | transient failures before DLQ  |
| EDIMESH_VALIDATOR_RETRY_BACKOFF_S        | 0.5                 | first backoff (doubles, jitter)|
| EDIMESH_VALIDATOR_SESSION_TIMEOUT_MS     | 10000               | group session timeout          |
| EDIMESH_VALIDATOR_TRANSACTION_TIMEOUT_MS | 60000               | broker aborts a longer txn     |
| EDIMESH_VALIDATOR_SHUTDOWN_TIMEOUT_S     | 20                  | SIGTERM: finish the batch      |
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from edimesh.mesh.bootstrap import resolve_bootstrap


class ValidatorSettings(BaseSettings):
    """Everything the validator needs to know; nothing secret lives here."""

    model_config = SettingsConfigDict(
        env_prefix="EDIMESH_VALIDATOR_", frozen=True, extra="ignore", env_ignore_empty=True
    )

    bootstrap: str | None = None
    group_id: str = Field(default="edimesh-validator", pattern=r"^[A-Za-z0-9._-]{1,120}$")
    instance_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,120}$")
    topic_prefix: str = ""
    staging_root: Path = Path("/var/lib/edimesh/staging")
    batch_max_records: int = Field(default=500, ge=1, le=10_000)
    worker_processes: int = Field(default=1, ge=0, le=64)
    max_in_flight: int = Field(default=64, ge=1, le=10_000)
    max_attempts: int = Field(default=3, ge=1, le=20)
    retry_backoff_s: float = Field(default=0.5, ge=0, le=60)
    max_backoff_s: float = Field(default=10.0, ge=0, le=600)
    session_timeout_ms: int = Field(default=10_000, ge=1000)
    heartbeat_interval_ms: int = Field(default=3_000, ge=100)
    transaction_timeout_ms: int = Field(default=60_000, ge=1000)
    shutdown_timeout_s: float = Field(default=20.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> ValidatorSettings:
        if self.heartbeat_interval_ms * 3 > self.session_timeout_ms:
            raise ValueError("heartbeat_interval_ms must be at most a third of the session")
        return self

    @property
    def bootstrap_servers(self) -> str:
        """The bootstrap servers: this setting, else $EDIMESH_BOOTSTRAP, else the default."""
        return resolve_bootstrap(self.bootstrap)

    def transactional_id(self, topic: str, partition: int) -> str:
        """Stable per input partition: whoever owns the partition next fences the last owner."""
        return f"{self.group_id}-{topic}-{partition}"

    def describe(self) -> dict[str, Any]:
        """The effective settings, for the one start-up log line."""
        out = self.model_dump(mode="json")
        out["bootstrap"] = self.bootstrap_servers
        return out
