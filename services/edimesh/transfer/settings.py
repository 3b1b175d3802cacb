"""The transfer service's settings: environment (EDIMESH_TRANSFER_*) plus the partners file.

    EDIMESH_TRANSFER_PARTNERS_FILE=/etc/edimesh/partners.toml
    EDIMESH_TRANSFER_STAGING_DIR=/var/lib/edimesh/staging
    EDIMESH_BOOTSTRAP=kafka:9092            # shared by every service (or ..._TRANSFER_BOOTSTRAP)

| variable                                  | default            | meaning                        |
|-------------------------------------------|--------------------|--------------------------------|
| EDIMESH_TRANSFER_PARTNERS_FILE            | required           | the partners TOML file         |
| EDIMESH_TRANSFER_STAGING_DIR              | /var/lib/edimesh/  | staged files, one folder per   |
|                                           | staging            | partner, named by their sha256 |
| EDIMESH_TRANSFER_BOOTSTRAP                | $EDIMESH_BOOTSTRAP | Kafka bootstrap servers (else  |
|                                           |                    | 127.0.0.1:9092)                |
| EDIMESH_TRANSFER_TOPIC_PREFIX             | ""                 | prefix of every mesh topic     |
| EDIMESH_TRANSFER_CREATE_TOPICS            | true               | ensure the two topics we write |
|                                           |                    | exist (idempotent)             |
| EDIMESH_TRANSFER_TRANSACTIONAL_ID         | edimesh-transfer   | one writer per id: a second    |
|                                           |                    | instance with it fences the    |
|                                           |                    | first                          |
| EDIMESH_TRANSFER_MAX_CONCURRENT_DOWNLOADS | 4                  | downloads at once, all         |
|                                           |                    | partners                       |
| EDIMESH_TRANSFER_READ_BLOCK_BYTES         | 0                  | SFTP read size; 0: the         |
|                                           |                    | server's limit                 |
| EDIMESH_TRANSFER_READ_REQUESTS            | 32                 | pipelined reads in flight per  |
|                                           |                    | file                           |
| EDIMESH_TRANSFER_SSH_WINDOW_BYTES         | 16 MiB             | SSH receive window             |
| EDIMESH_TRANSFER_SSH_MAX_PACKET_BYTES     | 256 KiB            | largest SSH packet accepted:   |
|                                           |                    | larger packets cost less       |
|                                           |                    | Python per byte                |
| EDIMESH_TRANSFER_RESUME_CHECKPOINT_BYTES  | 64 MiB             | crash resume: fdatasync the    |
|                                           |                    | part file and record its       |
|                                           |                    | length and sha256 this often   |
| EDIMESH_TRANSFER_CONNECT_TIMEOUT_S        | 30                 | SSH connect and login timeout  |
| EDIMESH_TRANSFER_KEEPALIVE_INTERVAL_S     | 15                 | SSH keepalive period           |
| EDIMESH_TRANSFER_KEEPALIVE_COUNT_MAX      | 3                  | unanswered keepalives before   |
|                                           |                    | the connection counts as dead  |
| EDIMESH_TRANSFER_RETRY_ATTEMPTS           | 5                  | retries after a transient      |
|                                           |                    | failure                        |
| EDIMESH_TRANSFER_BACKOFF_INITIAL_S        | 1                  | first retry delay (then        |
|                                           |                    | doubling, jittered)            |
| EDIMESH_TRANSFER_BACKOFF_MAX_S            | 60                 | longest retry delay            |
| EDIMESH_TRANSFER_STAGING_RESERVE_BYTES    | 0                  | disk kept free beyond 2 x the  |
|                                           |                    | file size                      |
| EDIMESH_TRANSFER_DRAIN_TIMEOUT_S          | 25                 | SIGTERM: downloads in flight   |
|                                           |                    | may finish within; keep it <   |
|                                           |                    | terminationGracePeriodSeconds  |
| EDIMESH_TRANSFER_LEDGER_RETENTION_DAYS    | 90                 | dedupe window: the same bytes  |
|                                           |                    | staged longer ago are staged   |
|                                           |                    | again as a new file            |

The dedupe window should match the retention.ms of edi.ledger.staged-files (90 days; see
edimesh.mesh.topics): a longer setting only holds what the topic still has, and a restart
forgets what the topic already deleted. Same bytes resent after the window are staged and
published again; the splitter still rejects their interchanges as duplicates within its own
window (EDIMESH_SPLITTER_LEDGER_RETENTION_DAYS, 365 days), so keep this one shorter.

`load_config()` reads both and raises ConfigError naming the variable, partner or field at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from edimesh.errors import ConfigError
from edimesh.mesh.bootstrap import resolve_bootstrap
from edimesh.mesh.topics import DAY_MS, STAGED_LEDGER_DAYS
from edimesh.transfer.partners import Partner, load_partners

ENV_PREFIX = "EDIMESH_TRANSFER_"


class TransferSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="forbid")

    partners_file: Path
    staging_dir: Path = Path("/var/lib/edimesh/staging")
    bootstrap: str | None = None  # None: EDIMESH_BOOTSTRAP, else 127.0.0.1:9092
    topic_prefix: str = ""
    create_topics: bool = True  # ensure the two topics we write exist (idempotent)
    # One writer per transactional id: a second instance with the same id fences the first.
    transactional_id: str = Field(default="edimesh-transfer", min_length=1, max_length=200)
    max_concurrent_downloads: int = Field(default=4, ge=1, le=256)
    read_block_bytes: int = Field(default=0, ge=0, le=4 * 1024 * 1024)  # 0: the server's limit
    read_requests: int = Field(default=32, ge=1, le=256)  # pipelined reads in flight per file
    ssh_window_bytes: int = Field(default=16 * 2**20, ge=64 * 2**10, le=2**30)  # SSH receive window
    # Largest SSH packet we accept: fewer, larger packets cost less Python per byte.
    ssh_max_packet_bytes: int = Field(default=256 * 2**10, ge=32 * 2**10, le=256 * 2**10)
    # Crash resume: fdatasync the part file and record its length and sha256 this often.
    resume_checkpoint_bytes: int = Field(default=64 * 2**20, ge=64 * 2**10)
    connect_timeout_s: float = Field(default=30.0, gt=0)
    keepalive_interval_s: float = Field(default=15.0, gt=0)
    keepalive_count_max: int = Field(default=3, ge=1)
    retry_attempts: int = Field(default=5, ge=0, le=100)
    backoff_initial_s: float = Field(default=1.0, gt=0)
    backoff_max_s: float = Field(default=60.0, gt=0)
    staging_reserve_bytes: int = Field(default=0, ge=0)  # kept free beyond 2 x file size
    drain_timeout_s: float = Field(default=25.0, ge=0)  # < terminationGracePeriodSeconds
    ledger_retention_days: int = Field(default=STAGED_LEDGER_DAYS, ge=1, le=3650)
    # The masking key is the telemetry's (EDIMESH_MASKING_KEY): one secret for the whole mesh.

    @property
    def ledger_retention_ms(self) -> int:
        return self.ledger_retention_days * DAY_MS

    def resolved_bootstrap(self) -> str:
        return resolve_bootstrap(self.bootstrap)

    def describe(self) -> dict[str, object]:
        """The effective settings, for the start-up log line (none of them is a secret)."""
        return self.model_dump(mode="json")


@dataclass(frozen=True, slots=True)
class TransferConfig:
    settings: TransferSettings
    partners: tuple[Partner, ...]


def load_settings(**overrides: object) -> TransferSettings:
    """Settings from the environment (and `overrides`); ConfigError naming the variables."""
    try:
        return TransferSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = [
            f"{ENV_PREFIX}{'_'.join(str(p) for p in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors(include_input=False, include_url=False)
        ]
        raise ConfigError("invalid transfer settings: " + "; ".join(problems)) from None


def load_config(**overrides: object) -> TransferConfig:
    settings = load_settings(**overrides)
    return TransferConfig(settings, load_partners(settings.partners_file))
