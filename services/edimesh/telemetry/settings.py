"""Telemetry settings, read once at start from `EDIMESH_*` environment variables.

Every service builds one `TelemetrySettings(service_name=...)`; the rest comes from the
environment (a Kubernetes ConfigMap, plus a Secret for the masking key):

| variable                      | meaning                                                      |
|-------------------------------|--------------------------------------------------------------|
| EDIMESH_ENV                   | deployment environment; anything but development/dev/local/  |
|                               | test is treated as production (no masking key: refuse start) |
| EDIMESH_SERVICE_VERSION       | defaults to the installed edimesh version                    |
| EDIMESH_OTLP_ENDPOINT         | collector base URL, e.g. http://otel-collector:4318; falls   |
|                               | back to OTEL_EXPORTER_OTLP_ENDPOINT; unset: no OTLP export   |
| EDIMESH_OTLP_PROTOCOL         | http/protobuf (the only one shipped, see tracing.py)         |
| EDIMESH_CONSOLE_TRACES        | true: also print finished spans to stderr (local runs)       |
| EDIMESH_LOG_LEVEL             | DEBUG, INFO, WARNING or ERROR                                |
| EDIMESH_MASKING_KEY           | HMAC secret for keyed tokens, at least 32 characters         |
| EDIMESH_MASKING_KEY_ID        | short id written in front of every token, for rotation       |
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, AnyHttpUrl, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from edimesh import __version__

DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "dev", "local", "test"})

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
OtlpProtocol = Literal["http/protobuf"]


class TelemetrySettings(BaseSettings):
    """Tracing, logging and masking settings shared by every service."""

    model_config = SettingsConfigDict(
        env_prefix="EDIMESH_",
        frozen=True,
        extra="ignore",
        env_ignore_empty=True,
        populate_by_name=True,
    )

    service_name: str = Field(default="edimesh", pattern=r"^[a-z][a-z0-9-]{0,62}$")
    service_version: str = Field(default=__version__, min_length=1)
    env: str = Field(default="development", pattern=r"^[a-z][a-z0-9-]{0,31}$")
    otlp_endpoint: AnyHttpUrl | None = Field(
        default=None,
        validation_alias=AliasChoices("EDIMESH_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"),
    )
    otlp_protocol: OtlpProtocol = "http/protobuf"
    console_traces: bool = False
    log_level: LogLevel = "INFO"
    masking_key: SecretStr | None = None
    masking_key_id: str = Field(default="k1", pattern=r"^[A-Za-z0-9_-]{1,16}$")

    @property
    def is_development(self) -> bool:
        """True only for the named development environments; unknown names count as production."""
        return self.env in DEVELOPMENT_ENVIRONMENTS

    def otlp_url(self, signal: Literal["traces", "metrics"]) -> str | None:
        """The OTLP/HTTP URL of one signal: the endpoint plus /v1/<signal>, unless given whole."""
        if self.otlp_endpoint is None:
            return None
        base = str(self.otlp_endpoint).rstrip("/")
        path = f"/v1/{signal}"
        return base if base.endswith(path) else base + path

    def describe(self) -> dict[str, Any]:
        """The effective settings, safe to log: the masking key shows only whether it is set."""
        out = self.model_dump(mode="json", exclude={"masking_key"})
        out["masking_key"] = "set" if self.masking_key is not None else "unset"
        return out
