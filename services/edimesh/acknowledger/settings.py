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
| EDIMESH_ACKNOWLEDGER_DONE_RETENTION_DAYS    | 30                   | an answered group is        |
|                                             |                      | remembered this long (must  |
|                                             |                      | outlast the inputs' reach)  |

The done window should match the retention.ms of edi.acknowledger.state (see
edimesh.mesh.topics); it must exceed how long the inputs (group manifests, set results) can
still deliver a record, else a replayed input could earn its group a second 999.

The health endpoint's variables (EDIMESH_HEALTH_*) are shared by every service.
"""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from edimesh.mesh.service_settings import (
    GroupServiceSettings,
    group_id_field,
)
from edimesh.mesh.topics import ACKNOWLEDGER_STATE_DAYS, BASE, DAY_MS


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
    done_retention_days: int = Field(default=ACKNOWLEDGER_STATE_DAYS, ge=1, le=3650)

    @property
    def done_retention_ms(self) -> int:
        return self.done_retention_days * DAY_MS

    @model_validator(mode="after")
    def _check_done_window(self) -> AcknowledgerSettings:
        # An input still deliverable after its group was forgotten would be answered again.
        ages = [BASE.group_manifests.max_record_age_ms, BASE.set_results.max_record_age_ms]
        reach = max(age for age in ages if age is not None) + int(self.ack_timeout_s * 1000)
        if self.done_retention_ms <= reach:
            raise ValueError(
                f"done_retention_days must exceed how long the inputs can still deliver a "
                f"record ({reach / DAY_MS:.1f} days)"
            )
        return self
