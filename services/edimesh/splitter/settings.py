"""Splitter settings, from `EDIMESH_SPLITTER_*` environment variables (read once, frozen).

| variable                                 | default            | meaning                          |
|------------------------------------------|--------------------|----------------------------------|
| EDIMESH_SPLITTER_BOOTSTRAP               | $EDIMESH_BOOTSTRAP | Kafka bootstrap servers          |
| EDIMESH_SPLITTER_GROUP_ID                | edimesh-splitter   | consumer group; prefixes the     |
|                                          |                    | transactional ids                |
| EDIMESH_SPLITTER_INSTANCE_ID             | unset              | static group membership (a pod   |
|                                          |                    | name): a restart rejoins at once |
| EDIMESH_SPLITTER_TOPIC_PREFIX            | ""                 | prefix of every mesh topic       |
| EDIMESH_SPLITTER_STAGING_ROOT            | /var/lib/edimesh/  | staged files must lie under it   |
|                                          | staging            |                                  |
| EDIMESH_SPLITTER_BATCH_MAX_OUTPUTS       | 2000               | messages per Kafka transaction   |
| EDIMESH_SPLITTER_BATCH_MAX_BYTES         | 8 MiB              | encoded bytes per transaction    |
| EDIMESH_SPLITTER_INLINE_MAX_BYTES        | 8 MiB              | bigger sets go by reference      |
| EDIMESH_SPLITTER_READ_CHUNK_BYTES        | 1 MiB              | file read size                   |
| EDIMESH_SPLITTER_MAX_CONCURRENT_FILES    | 2                  | files split at once per process  |
| EDIMESH_SPLITTER_SESSION_TIMEOUT_MS      | 10000              | group session timeout            |
| EDIMESH_SPLITTER_TRANSACTION_TIMEOUT_MS  | 60000              | broker aborts a longer txn       |
| EDIMESH_SPLITTER_SHUTDOWN_TIMEOUT_S      | 20                 | SIGTERM: finish the batch within |
| EDIMESH_SPLITTER_MAX_ATTEMPTS            | 3                  | transient failures before DLQ    |
| EDIMESH_SPLITTER_LEDGER_RETENTION_DAYS   | 365                | duplicate-interchange window:    |
|                                          |                    | older keys are forgotten         |
| EDIMESH_SPLITTER_PROGRESS_RETENTION_DAYS | 30                 | finished files' progress kept    |
|                                          |                    | this long (> files_staged reach) |

Both windows should match the retention.ms of their topics (edi.ledger.interchanges,
edi.progress.splitter; see edimesh.mesh.topics): a longer setting only holds what the topic
still has, and a restart forgets what the topic already deleted.

The health endpoint's own variables (EDIMESH_HEALTH_PORT, ...) are shared by every service:
see `edimesh.telemetry.health.settings`; they land in `health`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from edimesh.mesh.service_settings import (
    GroupServiceSettings,
    group_id_field,
)
from edimesh.mesh.topics import (
    BASE,
    DAY_MS,
    INTERCHANGE_LEDGER_DAYS,
    MAX_MESSAGE_BYTES,
    SPLITTER_PROGRESS_DAYS,
)

MiB = 1 << 20
# Room in a message for everything but the body: envelope facts, keys, headers.
RECORD_OVERHEAD_BYTES = 256 * 1024


class SplitterSettings(GroupServiceSettings):
    """Everything the splitter needs to know; nothing secret lives here."""

    model_config = SettingsConfigDict(env_prefix="EDIMESH_SPLITTER_")

    group_id: str = group_id_field("edimesh-splitter")
    staging_root: Path = Path("/var/lib/edimesh/staging")
    batch_max_outputs: int = Field(default=2000, ge=1, le=100_000)
    batch_max_bytes: int = Field(default=8 * MiB, ge=1024, le=256 * MiB)
    inline_max_bytes: int = Field(default=8 * MiB, ge=1024)
    max_segment_bytes: int = Field(default=1 * MiB, ge=1024)
    read_chunk_bytes: int = Field(default=1 * MiB, ge=4096, le=64 * MiB)
    max_concurrent_files: int = Field(default=2, ge=1, le=64)
    state_read_timeout_s: float = Field(default=120.0, gt=0)
    max_attempts: int = Field(default=3, ge=1)
    retry_backoff_s: float = Field(default=0.5, ge=0)
    ledger_retention_days: int = Field(default=INTERCHANGE_LEDGER_DAYS, ge=1, le=3650)
    progress_retention_days: int = Field(default=SPLITTER_PROGRESS_DAYS, ge=1, le=3650)

    @property
    def ledger_retention_ms(self) -> int:
        return self.ledger_retention_days * DAY_MS

    @property
    def progress_retention_ms(self) -> int:
        return self.progress_retention_days * DAY_MS

    @model_validator(mode="after")
    def _check_progress_window(self) -> SplitterSettings:
        # A re-delivered FileStaged older than the window would be split a second time.
        reach = BASE.files_staged.max_record_age_ms
        if reach is not None and self.progress_retention_ms <= reach:
            raise ValueError(
                f"progress_retention_days must exceed how long files_staged can keep a record "
                f"({reach // DAY_MS} days)"
            )
        return self

    @model_validator(mode="after")
    def _check_inline(self) -> SplitterSettings:
        limit = MAX_MESSAGE_BYTES - RECORD_OVERHEAD_BYTES
        if self.inline_max_bytes > limit:
            raise ValueError(
                f"inline_max_bytes must leave room under the {MAX_MESSAGE_BYTES}-byte message "
                f"limit: at most {limit}"
            )
        return self
