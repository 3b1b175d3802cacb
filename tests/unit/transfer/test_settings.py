"""Environment settings: defaults, EDIMESH_TRANSFER_* names in errors, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from edimesh.errors import ConfigError
from edimesh.mesh.topics import mesh_topics
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


def test_the_ledger_window_defaults_to_the_topic_retention(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EDIMESH_TRANSFER_PARTNERS_FILE", "/p.toml")
    settings = load_settings()
    assert settings.ledger_retention_days == 90
    assert settings.ledger_retention_ms == mesh_topics().staged_ledger.retention_ms
    monkeypatch.setenv("EDIMESH_TRANSFER_LEDGER_RETENTION_DAYS", "30")
    assert load_settings().ledger_retention_ms == 30 * 24 * 3600 * 1000
    monkeypatch.setenv("EDIMESH_TRANSFER_LEDGER_RETENTION_DAYS", "0")
    with pytest.raises(ConfigError, match="EDIMESH_TRANSFER_LEDGER_RETENTION_DAYS"):
        load_settings()
