"""Environment settings: defaults, EDIMESH_TRANSFER_* names in errors, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from edimesh.errors import ConfigError
from edimesh.transfer.settings import load_settings


def test_missing_and_invalid_variables_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDIMESH_TRANSFER_PARTNERS_FILE", raising=False)
    with pytest.raises(ConfigError, match="EDIMESH_TRANSFER_PARTNERS_FILE: Field required"):
        load_settings()
    monkeypatch.setenv("EDIMESH_TRANSFER_PARTNERS_FILE", "/etc/edimesh/partners.toml")
    monkeypatch.setenv("EDIMESH_TRANSFER_READ_REQUESTS", "0")
    with pytest.raises(ConfigError, match=r"EDIMESH_TRANSFER_READ_REQUESTS: .*greater than or"):
        load_settings()


def test_defaults_and_description(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIMESH_TRANSFER_PARTNERS_FILE", "/etc/edimesh/partners.toml")
    monkeypatch.setenv("EDIMESH_TRANSFER_SOMETHING_UNKNOWN", "ignored")
    settings = load_settings()
    assert settings.partners_file == Path("/etc/edimesh/partners.toml")
    assert settings.staging_dir == Path("/var/lib/edimesh/staging")
    assert settings.max_concurrent_downloads == 4
    assert settings.describe()["staging_dir"] == "/var/lib/edimesh/staging"


def test_settings_are_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIMESH_TRANSFER_PARTNERS_FILE", "/p.toml")
    settings = load_settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.retry_attempts = 9  # type: ignore[misc]
