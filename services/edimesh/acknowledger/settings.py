"""Acknowledger settings, from `EDIMESH_ACKNOWLEDGER_*` environment variables (read once, frozen).

| variable                                    | default              | meaning                     |
|---------------------------------------------|----------------------|-----------------------------|
| EDIMESH_ACKNOWLEDGER_BOOTSTRAP              | $EDIMESH_BOOTSTRAP   | Kafka bootstrap servers     |
| EDIMESH_ACKNOWLEDGER_GROUP_ID               | edimesh-acknowledger | consumer group; prefixes    |
|                                             |                      | the transactional ids       |
| EDIMESH_ACKNOWLEDGER_INSTANCE_ID            | unset                | static group membership     |
| EDIMESH_ACKNOWLEDGER_TOPIC_PREFIX           | ""                   | prefix of every mesh topic  |
| EDIMESH_ACKNOWLEDGER_ACK_TIMEOUT_S          | 900                  | a group not complete this   |
|                                             |                      | long after its first record |
|                                             |                      | gets a timed-out 999        |
| EDIMESH_ACKNOWLEDGER_SWEEP_INTERVAL_S       | 5                    | how often timeouts are      |
|                                             |                      | looked for                  |
| EDIMESH_ACKNOWLEDGER_BATCH_MAX_RECORDS      | 500                  | input records per txn       |
| EDIMESH_ACKNOWLEDGER_REBUILD_TIMEOUT_S      | 120                  | reading a changelog         |
|                                             |                      | partition back at assignment|
| EDIMESH_ACKNOWLEDGER_SESSION_TIMEOUT_MS     | 10000                | group session timeout       |
| EDIMESH_ACKNOWLEDGER_TRANSACTION_TIMEOUT_MS | 60000                | broker aborts a longer txn  |
| EDIMESH_ACKNOWLEDGER_SHUTDOWN_TIMEOUT_S     | 20                   | SIGTERM: finish the batch   |

The health endpoint's variables (EDIMESH_HEALTH_*) are shared by every service.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from edimesh.mesh.service_settings import (
    GroupServiceSettings,
    group_id_field,
)


class AcknowledgerSettings(GroupServiceSettings):
    """Everything the acknowledger needs to know; nothing secret lives here."""

    model_config = SettingsConfigDict(env_prefix="EDIMESH_ACKNOWLEDGER_")

    group_id: str = group_id_field("edimesh-acknowledger")
    ack_timeout_s: float = Field(default=900.0, gt=0)
    sweep_interval_s: float = Field(default=5.0, gt=0, le=3600)
    batch_max_records: int = Field(default=500, ge=1, le=10_000)
    rebuild_timeout_s: float = Field(default=120.0, gt=0)
    retry_backoff_s: float = Field(default=0.5, ge=0, le=60)
    max_backoff_s: float = Field(default=10.0, ge=0, le=600)
