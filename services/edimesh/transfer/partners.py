"""Trading partners as configuration: one `[[partners]]` table each in a TOML file.

    [[partners]]
    name = "acme"                      # lower-case; names the staging folder and the events
    host = "sftp.acme.example"
    port = 22
    user = "edimesh"
    private_key = "/etc/edimesh/keys/acme"        # ed25519 or RSA >= 3072, mode 0600
    known_hosts = "/etc/edimesh/known_hosts/acme"
    inbound_dir = "/inbound"
    pattern = "*.x12"
    archive_dir = "/archive"           # or: delete_after_success = true
    poll_interval_s = 30
    rename_convention = { temporary_suffix = ".part" }   # optional

`load_partners` refuses an invalid file with a `ConfigError` naming the partner and the field.
"""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, FilePath, ValidationError, model_validator
from pydantic import field_validator as field_check

from edimesh.errors import ConfigError


class RenameConvention(BaseModel):
    """The partner uploads under a temporary suffix and renames when the file is complete."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    temporary_suffix: str = Field(min_length=1, max_length=32, pattern=r"^[^/\x00]+$")


class Partner(BaseModel):
    """One trading partner's SFTP drop box."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    host: str = Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.:_-]+$")
    port: int = Field(default=22, ge=1, le=65535)
    user: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    private_key: FilePath
    known_hosts: FilePath
    inbound_dir: str
    pattern: str = Field(default="*", min_length=1, pattern=r"^[^/\x00]+$")
    archive_dir: str | None = None
    delete_after_success: bool = False
    poll_interval_s: float = Field(default=30.0, gt=0, le=86_400)
    max_parallel_files: int = Field(default=2, ge=1, le=64)
    rename_convention: RenameConvention | None = None

    @field_check("inbound_dir", "archive_dir")
    @classmethod
    def _absolute_remote_dir(cls, value: str | None) -> str | None:
        if value is None:
            return None
        path = PurePosixPath(value)
        if not path.is_absolute() or ".." in path.parts or "\x00" in value:
            raise ValueError("must be an absolute remote path without '..'")
        return str(path)

    @field_check("private_key")
    @classmethod
    def _private_key_is_private(cls, value: Path) -> Path:
        if stat.S_IMODE(value.stat().st_mode) & 0o077:
            raise ValueError("is readable or writable by group or others; chmod 600 it")
        return value

    @model_validator(mode="after")
    def _one_way_to_dispose(self) -> Self:
        if (self.archive_dir is None) == (not self.delete_after_success):
            raise ValueError("set exactly one of archive_dir and delete_after_success = true")
        if self.archive_dir is not None and self.archive_dir == self.inbound_dir:
            raise ValueError("archive_dir must differ from inbound_dir")
        return self

    @property
    def temporary_suffix(self) -> str | None:
        return self.rename_convention.temporary_suffix if self.rename_convention else None


def load_partners(path: Path) -> tuple[Partner, ...]:
    """Every partner of the TOML file at `path`, validated; ConfigError on the first problem."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"partners file {path}: cannot read it ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"partners file {path}: not valid TOML ({exc})") from exc
    return parse_partners(document, str(path))


def parse_partners(document: dict[str, Any], source: str) -> tuple[Partner, ...]:
    """Validate a parsed partners document; `source` names it in error messages."""
    extra = sorted(set(document) - {"partners"})
    if extra:
        raise ConfigError(f"partners file {source}: unknown top-level keys {extra}")
    tables = document.get("partners")
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"partners file {source}: needs at least one [[partners]] table")
    partners: list[Partner] = []
    for index, table in enumerate(tables, start=1):
        label = _label(table, index)
        try:
            partners.append(Partner.model_validate(table))
        except ValidationError as exc:
            raise ConfigError(f"partners file {source}: {label}: {_first_problem(exc)}") from None
    names = [partner.name for partner in partners]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ConfigError(f"partners file {source}: partner names used twice: {duplicated}")
    return tuple(partners)


def _label(table: object, index: int) -> str:
    name = table.get("name") if isinstance(table, dict) else None
    if isinstance(name, str) and name.isprintable() and len(name) <= 64:
        return f"partner {name!r} (#{index})"
    return f"partner #{index}"


def _first_problem(exc: ValidationError) -> str:
    """'field <name>: <why>' without echoing the rejected value."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or "(table)"
        problems.append(f"field {field!r}: {error['msg']}")
    return "; ".join(problems)
