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
| EDIMESH_VALIDATOR_POOL_BATCH_SETS        | 8                   | sets per task sent to a worker |
|                                          |                     | process, at most               |
| EDIMESH_VALIDATOR_MAX_QUEUED_MB          | 64                  | memory for uncommitted sets    |
|                                          |                     | (input and outputs) across     |
|                                          |                     | partitions before pausing them |
| EDIMESH_VALIDATOR_MAX_ATTEMPTS           | 3                   | transient failures before DLQ  |
| EDIMESH_VALIDATOR_RETRY_BACKOFF_S        | 0.5                 | first backoff (doubles, jitter)|
| EDIMESH_VALIDATOR_SESSION_TIMEOUT_MS     | 10000               | group session timeout          |
| EDIMESH_VALIDATOR_TRANSACTION_TIMEOUT_MS | 60000               | broker aborts a longer txn     |
| EDIMESH_VALIDATOR_SHUTDOWN_TIMEOUT_S     | 20                  | SIGTERM: finish the batch      |

The health endpoint's own variables (EDIMESH_HEALTH_PORT, ...) are shared by every service:
see `edimesh.telemetry.health.settings`; they land in `health`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from edimesh.mesh.service_settings import (
    GroupServiceSettings,
    group_id_field,
)


class ValidatorSettings(GroupServiceSettings):
    """Everything the validator needs to know; nothing secret lives here."""

    model_config = SettingsConfigDict(env_prefix="EDIMESH_VALIDATOR_")

    group_id: str = group_id_field("edimesh-validator")
    staging_root: Path = Path("/var/lib/edimesh/staging")
    batch_max_records: int = Field(default=500, ge=1, le=10_000)
    worker_processes: int = Field(default=1, ge=0, le=64)
    max_in_flight: int = Field(default=64, ge=1, le=10_000)
    pool_batch_sets: int = Field(default=8, ge=1, le=1_000)
    max_queued_mb: int = Field(default=64, ge=1, le=65_536)
    max_attempts: int = Field(default=3, ge=1, le=20)
    retry_backoff_s: float = Field(default=0.5, ge=0, le=60)
    max_backoff_s: float = Field(default=10.0, ge=0, le=600)
