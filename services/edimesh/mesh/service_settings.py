"""Settings every consume-transform-produce service shares (splitter, validator, acknowledger).

    class ValidatorSettings(GroupServiceSettings):
        model_config = SettingsConfigDict(env_prefix="EDIMESH_VALIDATOR_")
        group_id: str = group_id_field("edimesh-validator")

Each service reads them under its own prefix (`EDIMESH_<SERVICE>_BOOTSTRAP`, ...); the health
endpoint's variables (EDIMESH_HEALTH_*) are shared by all and land in `health`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from edimesh.mesh.bootstrap import resolve_bootstrap
from edimesh.telemetry.health import HealthSettings

_NAME = r"^[A-Za-z0-9._-]{1,120}$"


def group_id_field(default: str) -> Any:
    """The consumer group id field with a service's default; it prefixes transactional ids."""
    return Field(default=default, pattern=_NAME)


class GroupServiceSettings(BaseSettings):
    """A consumer-group member with one transactional producer per owned input partition.

    Read once and frozen; unknown variables are ignored. A subclass's model_config adds only its
    env_prefix (pydantic merges it with this one).
    """

    model_config = SettingsConfigDict(frozen=True, extra="ignore", env_ignore_empty=True)

    bootstrap: str | None = None
    group_id: str = group_id_field("edimesh")
    instance_id: str | None = Field(default=None, pattern=_NAME)  # static group membership
    topic_prefix: str = ""
    session_timeout_ms: int = Field(default=10_000, ge=1000)
    heartbeat_interval_ms: int = Field(default=3_000, ge=100)
    transaction_timeout_ms: int = Field(default=60_000, ge=1000)
    shutdown_timeout_s: float = Field(default=20.0, gt=0)
    health: HealthSettings = Field(default_factory=HealthSettings)  # from EDIMESH_HEALTH_*

    @model_validator(mode="after")
    def _check_heartbeat(self) -> GroupServiceSettings:
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
