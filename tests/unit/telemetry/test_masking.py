"""Keyed tokens: deterministic per key and label, never a bare hash, refused without a key."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from edimesh.errors import ConfigError
from edimesh.telemetry.masking import EPHEMERAL_KEY_ID, Masker, MaskLabel, keyed_token
from edimesh.telemetry.redaction import scrub
from edimesh.telemetry.settings import TelemetrySettings

from . import canaries
from .conftest import TEST_KEY

TOKEN = re.compile(r"^k1:idem:[0-9a-f]{16}$")


def test_a_token_is_key_id_label_and_16_hex(masker: Masker) -> None:
    token = masker.mask(MaskLabel.IDEMPOTENCY_KEY, canaries.IDEMPOTENCY_KEY)
    assert TOKEN.match(token)


def test_the_same_value_key_and_label_give_the_same_token(masker: Masker) -> None:
    again = Masker("k1", SecretStr(TEST_KEY))
    assert masker.mask("ssn", canaries.SSN) == again.mask("ssn", canaries.SSN)


def test_one_value_in_two_fields_gives_two_tokens(masker: Masker) -> None:
    assert masker.mask(MaskLabel.ISA13, canaries.CONTROL_NUMBER) != masker.mask(
        MaskLabel.GS06, canaries.CONTROL_NUMBER
    )


def test_another_key_gives_another_token(masker: Masker) -> None:
    other = Masker("k1", SecretStr(TEST_KEY + "-rotated"))
    a, b = masker.mask("ssn", canaries.SSN), other.mask("ssn", canaries.SSN)
    assert a.rsplit(":", 1)[1] != b.rsplit(":", 1)[1]


def test_the_key_id_prefixes_the_token_for_rotation() -> None:
    assert Masker("k2", SecretStr(TEST_KEY)).mask("ssn", canaries.SSN).startswith("k2:ssn:")


def test_bytes_str_and_int_of_one_value_agree(masker: Masker) -> None:
    as_str = masker.mask("isa13", canaries.CONTROL_NUMBER)
    assert masker.mask("isa13", canaries.CONTROL_NUMBER.encode()) == as_str
    assert masker.mask("isa13", int(canaries.CONTROL_NUMBER)) == as_str


@pytest.mark.parametrize("value", canaries.RAW)
def test_a_token_is_not_a_bare_hash_of_the_value(masker: Masker, value: str) -> None:
    token = masker.mask("ssn", value)
    hexpart = token.rsplit(":", 1)[1]
    data = value.encode()
    bare = [
        hashlib.sha256(data).hexdigest(),
        hashlib.sha256(b"ssn\x00" + data).hexdigest(),
        hashlib.sha256(b"ssn" + data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.md5(data).hexdigest(),
    ]
    assert all(not h.startswith(hexpart) and hexpart not in h for h in bare)
    assert value not in token
    # and it is the keyed construction the docs describe
    keyed = hmac.new(TEST_KEY.encode(), b"ssn\x00" + data, hashlib.sha256).hexdigest()
    assert hexpart == keyed[:16]


@pytest.mark.parametrize("label", ["", "ISA13", "a:b", "a b", "x" * 33, "1abc"])
def test_labels_that_would_make_tokens_ambiguous_are_refused(masker: Masker, label: str) -> None:
    with pytest.raises(ValueError, match="mask label"):
        masker.mask(label, "x")


def test_production_refuses_to_start_without_a_key() -> None:
    with pytest.raises(ConfigError, match="EDIMESH_MASKING_KEY is not set"):
        Masker.from_settings(TelemetrySettings(env="production"))


@pytest.mark.parametrize("env", ["staging", "prod-eu", "qa"])
def test_an_unknown_environment_counts_as_production(env: str) -> None:
    with pytest.raises(ConfigError):
        Masker.from_settings(TelemetrySettings(env=env))


def test_production_reads_the_key_and_key_id_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EDIMESH_ENV", "production")
    monkeypatch.setenv("EDIMESH_MASKING_KEY", TEST_KEY)
    monkeypatch.setenv("EDIMESH_MASKING_KEY_ID", "k7")
    masker = Masker.from_settings(TelemetrySettings())
    assert not masker.ephemeral
    assert masker.mask("ssn", canaries.SSN) == keyed_token(
        TEST_KEY.encode(), "k7", "ssn", canaries.SSN
    )


def test_a_short_key_is_refused_even_in_development() -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        Masker.from_settings(TelemetrySettings(env="development", masking_key=SecretStr("short")))


def test_development_without_a_key_uses_an_ephemeral_key_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="edimesh.telemetry.masking"):
        first = Masker.from_settings(TelemetrySettings(env="development"))
    assert first.ephemeral
    assert first.key_id == EPHEMERAL_KEY_ID
    assert any("ephemeral" in r.getMessage() for r in caplog.records)
    second = Masker.from_settings(TelemetrySettings(env="development"))
    assert first.mask("ssn", canaries.SSN) != second.mask("ssn", canaries.SSN)


def test_the_key_is_never_printed(masker: Masker) -> None:
    settings = TelemetrySettings(masking_key=SecretStr(TEST_KEY))
    shown = (repr(masker), str(masker), repr(settings), str(settings), str(settings.describe()))
    assert all(TEST_KEY not in text for text in shown)


@given(st.one_of(st.text(), st.binary()))
def test_every_token_survives_log_redaction_unchanged(value: str | bytes) -> None:
    token = Masker("k1", SecretStr(TEST_KEY)).mask(MaskLabel.FILE_NAME, value)
    assert scrub(f"file={token}.") == f"file={token}."
