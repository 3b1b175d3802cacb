"""Keyed tokens: the only form in which an identifier may appear in logs, spans or metrics.

    masker = Masker.from_settings(settings)
    masker.mask(MaskLabel.IDEMPOTENCY_KEY, "SENDER|RECEIVER|000000001|1|0001")
    # 'k1:idem:9c0f4e2a51b7d3e8'

A token is HMAC-SHA256(secret, label NUL value), truncated to 16 hex characters (64 bits: no
collisions in practice for correlation, and far too short to carry the value), prefixed with
the key id and the label. The label separates fields, so one value masked as two fields gives
two unrelated tokens; the key id says which secret made a token, so keys can rotate.

A plain hash (sha256 of an SSN, a birth date, a 9-digit control number) is never used: such
values have so few possibilities that anyone can hash them all in seconds. Without the secret,
a keyed token cannot be reversed that way.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import SecretStr

from edimesh.errors import ConfigError
from edimesh.telemetry.settings import TelemetrySettings

TOKEN_HEX_CHARS = 16
MIN_KEY_CHARS = 32
EPHEMERAL_KEY_ID = "eph"

_LABEL = re.compile(r"^[a-z][a-z0-9_.]{0,31}$")
# What a token looks like; the log redaction lets exactly this through.
TOKEN_PATTERN = r"[A-Za-z0-9_-]{1,16}:[a-z][a-z0-9_.]{0,31}:[0-9a-f]{16}"  # noqa: S105

_log = logging.getLogger(__name__)


class MaskLabel(StrEnum):
    """Labels of the identifiers edimesh masks. Use the same label for the same field everywhere,
    so a log line and a span about one transaction set share its token."""

    MESSAGE_KEY = "key"  # a Kafka key whose kind the caller does not name
    IDEMPOTENCY_KEY = "idem"  # ISA06|ISA08|ISA13|GS06|ST02, the TransactionSet key
    FILE_SHA256 = "filesha"  # the FileStaged key
    FILE_NAME = "file"
    REMOTE_PATH = "path"  # a partner's SFTP path
    ISA13 = "isa13"
    GS06 = "gs06"
    ST02 = "st02"
    CLAIM_ID = "clm01"
    MEMBER_ID = "member"
    GROUP_KEY = "group"  # ISA06|ISA08|ISA13|GS06
    INTERCHANGE_KEY = "interchange"  # ISA06|ISA08|ISA13
    SENDER_ID = "sender"  # ISA06, GS02
    RECEIVER_ID = "receiver"  # ISA08, GS03


def keyed_token(key: bytes, key_id: str, label: str, value: str | bytes | int) -> str:
    """`key_id:label:hex16`, the HMAC-SHA256 of `label NUL value` under `key`, truncated.

    `value` is taken exactly as given (str as UTF-8, int as its decimal digits): callers trim.
    """
    if not _LABEL.match(label):
        raise ValueError("mask label must be 1-32 characters of a-z, 0-9, '_' or '.'")
    if isinstance(value, int):
        value = str(value)
    data = value.encode("utf-8") if isinstance(value, str) else value
    digest = hmac.new(key, label.encode("ascii") + b"\x00" + data, hashlib.sha256).hexdigest()
    return f"{key_id}:{label}:{digest[:TOKEN_HEX_CHARS]}"


@dataclass(frozen=True, slots=True)
class Masker:
    """Turns identifiers into keyed tokens. Build one at start and pass it where needed."""

    key_id: str
    key: SecretStr = field(repr=False)
    ephemeral: bool = False

    def mask(self, label: str, value: str | bytes | int) -> str:
        """The keyed token of `value` as the field `label` (see `MaskLabel`)."""
        return keyed_token(self.key.get_secret_value().encode("utf-8"), self.key_id, label, value)

    @classmethod
    def from_settings(cls, settings: TelemetrySettings) -> Masker:
        """The masker for these settings.

        Raises ConfigError outside development when no key is set, and for a key that is too
        short. In development without a key, uses a random key for this process and warns.
        """
        if settings.masking_key is not None:
            if len(settings.masking_key.get_secret_value()) < MIN_KEY_CHARS:
                raise ConfigError(
                    f"EDIMESH_MASKING_KEY must be at least {MIN_KEY_CHARS} characters; "
                    "generate one with: openssl rand -base64 48"
                )
            return cls(settings.masking_key_id, settings.masking_key)
        if not settings.is_development:
            raise ConfigError(
                f"EDIMESH_MASKING_KEY is not set and EDIMESH_ENV={settings.env!r} is not a "
                "development environment: refusing to start without a masking secret "
                "(mount it from a Secret; generate one with: openssl rand -base64 48)"
            )
        _log.warning(
            "EDIMESH_MASKING_KEY is not set: development mode, masking with an ephemeral random "
            "key (key id %r); tokens will not match across restarts or services",
            EPHEMERAL_KEY_ID,
        )
        return cls.with_random_key()

    @classmethod
    def with_random_key(cls) -> Masker:
        """A masker with a fresh random key, for development and tests."""
        return cls(EPHEMERAL_KEY_ID, SecretStr(secrets.token_urlsafe(48)), ephemeral=True)
