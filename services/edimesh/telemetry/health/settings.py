"""Health endpoint settings, from `EDIMESH_HEALTH_*` environment variables.

| variable             | default | meaning                                                       |
|----------------------|---------|---------------------------------------------------------------|
| EDIMESH_HEALTH_PORT  | 8080    | TCP port of /livez, /readyz, /metrics; `0` picks a free port; |
|                      |         | `off` serves nothing (local runs of several services, tests)  |
| EDIMESH_HEALTH_HOST  | 0.0.0.0 | address to bind; 127.0.0.1 keeps it off the network           |
| EDIMESH_HEALTH_HEARTBEAT_INTERVAL_S | 1 | how often the event loop beats                        |
| EDIMESH_HEALTH_STALE_AFTER_S        | 10 | /livez is 503 once the last beat is older             |

An empty value counts as unset (port 8080), as everywhere in edimesh: a blank variable left by
templating must not silently remove the probes; turning them off takes the word `off`.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

OFF = "off"


class HealthSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="EDIMESH_HEALTH_", frozen=True, extra="ignore", env_ignore_empty=True
    )

    port: int | None = Field(default=8080, ge=0, le=65535)  # None: disabled
    # Every interface: kubelet and Prometheus reach the pod on its IP.
    host: str = Field(default="0.0.0.0", min_length=1)  # noqa: S104
    heartbeat_interval_s: float = Field(default=1.0, gt=0)
    stale_after_s: float = Field(default=10.0, gt=0)

    @field_validator("port", mode="before")
    @classmethod
    def _off(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() == OFF:
            return None
        return value

    @model_validator(mode="after")
    def _beats_within_staleness(self) -> Self:
        if self.heartbeat_interval_s >= self.stale_after_s:
            raise ValueError("heartbeat_interval_s must be shorter than stale_after_s")
        return self

    @property
    def enabled(self) -> bool:
        return self.port is not None
