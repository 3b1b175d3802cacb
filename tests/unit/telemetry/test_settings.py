"""Telemetry settings: EDIMESH_ prefix, frozen, validated, secrets never shown."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from edimesh import __version__
from edimesh.telemetry.settings import TelemetrySettings

from .conftest import TEST_KEY


def test_defaults_are_a_quiet_development_setup() -> None:
    s = TelemetrySettings()
    assert (s.service_name, s.service_version, s.env) == ("edimesh", __version__, "development")
    assert s.otlp_endpoint is None
    assert not s.console_traces
    assert s.log_level == "INFO"
    assert s.masking_key is None
    assert s.is_development


def test_values_come_from_edimesh_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIMESH_ENV", "production")
    monkeypatch.setenv("EDIMESH_OTLP_ENDPOINT", "http://collector:4318")
    monkeypatch.setenv("EDIMESH_CONSOLE_TRACES", "true")
    monkeypatch.setenv("EDIMESH_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("EDIMESH_MASKING_KEY", TEST_KEY)
    monkeypatch.setenv("EDIMESH_MASKING_KEY_ID", "k3")
    s = TelemetrySettings(service_name="validator")
    assert s.service_name == "validator"
    assert not s.is_development
    assert str(s.otlp_endpoint) == "http://collector:4318/"
    assert s.console_traces
    assert s.log_level == "DEBUG"
    assert s.masking_key is not None
    assert s.masking_key.get_secret_value() == TEST_KEY
    assert s.masking_key_id == "k3"


def test_the_standard_otel_endpoint_variable_is_a_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4318")
    assert str(TelemetrySettings().otlp_endpoint) == "http://otel:4318/"
    monkeypatch.setenv("EDIMESH_OTLP_ENDPOINT", "http://ours:4318")
    assert str(TelemetrySettings().otlp_endpoint) == "http://ours:4318/"


def test_an_empty_key_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIMESH_MASKING_KEY", "")
    assert TelemetrySettings().masking_key is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("otlp_protocol", "grpc"),
        ("log_level", "TRACE"),
        ("masking_key_id", "k:1"),
        ("service_name", "Splitter Service"),
        ("otlp_endpoint", "not a url"),
    ],
)
def test_invalid_values_are_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError):
        TelemetrySettings.model_validate({field: value})


def test_settings_are_frozen() -> None:
    s = TelemetrySettings()
    with pytest.raises(ValidationError):
        s.env = "production"  # type: ignore[misc]


def test_describe_is_loggable_and_hides_the_key() -> None:
    described = TelemetrySettings(masking_key=SecretStr(TEST_KEY)).describe()
    assert described["masking_key"] == "set"
    assert TEST_KEY not in repr(described)
    assert TelemetrySettings().describe()["masking_key"] == "unset"
