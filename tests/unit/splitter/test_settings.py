"""Splitter settings: environment prefix, bounds, derived names."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from edimesh.mesh.bootstrap import BOOTSTRAP_ENV
from edimesh.mesh.topics import MAX_MESSAGE_BYTES
from edimesh.splitter.settings import SplitterSettings


def test_settings_come_from_the_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIMESH_SPLITTER_GROUP_ID", "splitter-east")
    monkeypatch.setenv("EDIMESH_SPLITTER_STAGING_ROOT", "/srv/staging")
    monkeypatch.setenv("EDIMESH_SPLITTER_BATCH_MAX_OUTPUTS", "50")
    monkeypatch.setenv("EDIMESH_SPLITTER_TOPIC_PREFIX", "t1.")
    settings = SplitterSettings()
    assert settings.group_id == "splitter-east"
    assert settings.staging_root == Path("/srv/staging")
    assert settings.batch_max_outputs == 50
    assert settings.transactional_id("t1.edi.files.staged", 2) == (
        "splitter-east-t1.edi.files.staged-2"
    )


def test_defaults_follow_the_design(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BOOTSTRAP_ENV, raising=False)
    settings = SplitterSettings()
    assert settings.group_id == "edimesh-splitter"
    assert settings.transactional_id("edi.files.staged", 0) == (
        "edimesh-splitter-edi.files.staged-0"
    )
    assert settings.inline_max_bytes < MAX_MESSAGE_BYTES
    assert settings.bootstrap_servers == "127.0.0.1:9092"
    assert settings.describe()["bootstrap"] == "127.0.0.1:9092"


def test_bootstrap_falls_back_to_the_mesh_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BOOTSTRAP_ENV, "kafka-1:9092,kafka-2:9092")
    assert SplitterSettings().bootstrap_servers == "kafka-1:9092,kafka-2:9092"
    assert SplitterSettings(bootstrap="other:1").bootstrap_servers == "other:1"


@pytest.mark.parametrize(
    "bad",
    [
        {"inline_max_bytes": MAX_MESSAGE_BYTES},  # no room for the envelope facts
        {"batch_max_outputs": 0},
        {"session_timeout_ms": 6000, "heartbeat_interval_ms": 3000},
        {"group_id": "has space"},
    ],
)
def test_bad_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SplitterSettings.model_validate(bad)


def test_settings_are_frozen() -> None:
    settings = SplitterSettings()
    with pytest.raises(ValidationError):
        settings.group_id = "other"  # type: ignore[misc]
