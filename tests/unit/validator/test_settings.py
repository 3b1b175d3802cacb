"""Validator settings: defaults, the transactional id scheme, refused values."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from edimesh.validator.settings import ValidatorSettings


def test_defaults_and_transactional_ids() -> None:
    settings = ValidatorSettings()
    assert settings.group_id == "edimesh-validator"
    expected = "edimesh-validator-edi.transactions-3"
    assert settings.transactional_id("edi.transactions", 3) == expected
    assert settings.describe()["bootstrap"]


@pytest.mark.parametrize("field", [{"max_attempts": 0}, {"heartbeat_interval_ms": 5000},
                                   {"group_id": "bad id"}, {"worker_processes": -1}])  # fmt: skip
def test_bad_values_are_refused(field: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ValidatorSettings.model_validate(field)


def test_settings_are_frozen() -> None:
    with pytest.raises(ValidationError):
        ValidatorSettings().max_attempts = 5  # type: ignore[misc]
