"""EDIMESH_KAFKA_*: which protocol/setting combinations are accepted, the aiokafka options they
give, and that a secret never shows in an error message or a repr."""

from __future__ import annotations

import logging
import os
import ssl
from pathlib import Path

import pytest

from edimesh.errors import ConfigError
from edimesh.localbroker import BrokerConfig, BrokerTls
from edimesh.localbroker.config import server_properties
from edimesh.mesh.kafka_security import client_options, kafka_security
from tests.integration.tls_certs import make_pki

SECRET = "s3cret-Value-that-must-not-leak"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("EDIMESH_KAFKA_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_pki(tmp_path_factory.mktemp("pki")).ca


def _env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"EDIMESH_KAFKA_{name.upper()}", value)


def test_plaintext_by_default_adds_nothing() -> None:
    assert kafka_security().security_protocol == "PLAINTEXT"
    assert client_options() == {}


def test_ssl_gives_a_verifying_context(monkeypatch: pytest.MonkeyPatch, ca: Path) -> None:
    _env(monkeypatch, security_protocol="SSL", ssl_cafile=str(ca))
    options = client_options()
    assert set(options) == {"security_protocol", "ssl_context"}
    assert options["security_protocol"] == "SSL"
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_ssl_passes_the_mechanism_and_credentials(
    monkeypatch: pytest.MonkeyPatch, ca: Path, mechanism: str
) -> None:
    _env(monkeypatch, security_protocol="SASL_SSL", ssl_cafile=str(ca), sasl_mechanism=mechanism,
         sasl_username="svc", sasl_password=SECRET)  # fmt: skip
    options = client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == mechanism
    assert options["sasl_plain_username"] == "svc"
    assert options["sasl_plain_password"] == SECRET
    assert isinstance(options["ssl_context"], ssl.SSLContext)


def test_secrets_come_from_files_without_the_trailing_newline(
    monkeypatch: pytest.MonkeyPatch, ca: Path, tmp_path: Path
) -> None:
    (tmp_path / "pw").write_text(SECRET + "\n", encoding="utf-8")
    _env(monkeypatch, security_protocol="SASL_SSL", ssl_cafile=str(ca), sasl_mechanism="PLAIN",
         sasl_username="svc", sasl_password_file=str(tmp_path / "pw"))  # fmt: skip
    assert client_options()["sasl_plain_password"] == SECRET


def test_sasl_plaintext_needs_an_explicit_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, security_protocol="SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-512",
         sasl_username="svc", sasl_password=SECRET)  # fmt: skip
    with pytest.raises(ConfigError, match="EDIMESH_KAFKA_ALLOW_PLAINTEXT_SASL"):
        client_options()
    _env(monkeypatch, allow_plaintext_sasl="true")
    options = client_options()
    assert options["security_protocol"] == "SASL_PLAINTEXT"
    assert "ssl_context" not in options


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"security_protocol": "TLS"}, "EDIMESH_KAFKA_SECURITY_PROTOCOL"),
        ({"ssl_cafile": "{ca}"}, "EDIMESH_KAFKA_SSL_CAFILE is set but"),
        ({"sasl_username": "svc"}, "EDIMESH_KAFKA_SASL_USERNAME is set but"),
        ({"security_protocol": "SSL", "sasl_mechanism": "PLAIN"}, "EDIMESH_KAFKA_SASL_MECHANISM"),
        ({"security_protocol": "SSL", "ssl_cafile": "/nonexistent.pem"}, "SSL_CAFILE: /nonex"),
        ({"security_protocol": "SSL", "ssl_keyfile": "{ca}"}, "needs EDIMESH_KAFKA_SSL_CERTFILE"),
        ({"security_protocol": "SASL_SSL", "sasl_username": "svc", "sasl_password": "x"},
         "EDIMESH_KAFKA_SASL_MECHANISM is required"),
        ({"security_protocol": "SASL_SSL", "sasl_mechanism": "PLAIN", "sasl_password": "x"},
         "EDIMESH_KAFKA_SASL_USERNAME is required"),
        ({"security_protocol": "SASL_SSL", "sasl_mechanism": "PLAIN", "sasl_username": "svc"},
         "EDIMESH_KAFKA_SASL_PASSWORD or EDIMESH_KAFKA_SASL_PASSWORD_FILE is required"),
        ({"security_protocol": "SASL_SSL", "sasl_mechanism": "GSSAPI", "sasl_username": "svc",
          "sasl_password": "x"}, "EDIMESH_KAFKA_SASL_MECHANISM"),
        ({"security_protocol": "SASL_SSL", "sasl_mechanism": "PLAIN", "sasl_username": "svc",
          "sasl_password": "x", "sasl_password_file": "{ca}"}, "not both"),
        ({"security_protocol": "SASL_SSL", "sasl_mechanism": "PLAIN", "sasl_username": "svc",
          "sasl_password_file": "/nonexistent/pw"}, "EDIMESH_KAFKA_SASL_PASSWORD_FILE: cannot"),
    ],
)  # fmt: skip
def test_a_bad_combination_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, ca: Path, values: dict[str, str], named: str
) -> None:
    _env(monkeypatch, **{k: v.format(ca=ca) for k, v in values.items()})
    with pytest.raises(ConfigError, match=named):
        client_options()


@pytest.mark.parametrize(
    "values",
    [
        # pydantic would echo the input of a field it cannot parse: the bool here
        {"security_protocol": "SASL_PLAINTEXT", "allow_plaintext_sasl": SECRET},
        {"security_protocol": "PLAINTEXT", "sasl_password": SECRET},
        {"security_protocol": "SASL_SSL", "sasl_mechanism": "PLAIN", "sasl_password": SECRET},
        {"security_protocol": "SSL", "ssl_key_password": SECRET},
        {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN",
         "sasl_username": "svc", "sasl_password": SECRET},
    ],
)  # fmt: skip
def test_errors_never_carry_the_secret(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str]
) -> None:
    _env(monkeypatch, **values)
    with pytest.raises(ConfigError) as caught:
        client_options()
    assert "EDIMESH_KAFKA_" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)


def test_repr_and_dump_hide_the_secrets(monkeypatch: pytest.MonkeyPatch, ca: Path) -> None:
    _env(monkeypatch, security_protocol="SASL_SSL", ssl_cafile=str(ca), sasl_mechanism="PLAIN",
         sasl_username="svc", sasl_password=SECRET)  # fmt: skip
    settings = kafka_security()
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)
    assert SECRET not in settings.model_dump_json()


def test_an_unreadable_ca_file_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate\n", encoding="utf-8")
    _env(monkeypatch, security_protocol="SSL", ssl_cafile=str(bogus))
    with pytest.raises(ConfigError, match="EDIMESH_KAFKA_SSL_CAFILE"):
        client_options()


def test_sasl_requests_are_kept_out_of_aiokafka_debug_logs(
    monkeypatch: pytest.MonkeyPatch, ca: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _env(monkeypatch, security_protocol="SASL_SSL", ssl_cafile=str(ca), sasl_mechanism="PLAIN",
         sasl_username="svc", sasl_password=SECRET)  # fmt: skip
    client_options()
    conn = logging.getLogger("aiokafka.conn")
    with caplog.at_level(logging.DEBUG, logger="aiokafka.conn"):
        conn.debug("Request to %s %s: %s", "h:1", 3, f"Sasl(sasl_auth_bytes=b'svc\\x00{SECRET}')")
        conn.debug("Request to %s %s: %s", "h:1", 4, "MetadataRequest()")
    assert SECRET not in caplog.text
    assert "MetadataRequest" in caplog.text


def test_the_local_broker_renders_tls_listeners(tmp_path: Path) -> None:
    tls = BrokerTls(9093, tmp_path / "ks.pem", sasl_port=9094, plain_users={"svc": "pw"})
    props = server_properties(BrokerConfig(tmp_path, port=9092, controller_port=9095, tls=tls))
    assert props["listeners"].split(",") == [
        "PLAINTEXT://127.0.0.1:9092", "CONTROLLER://127.0.0.1:9095",
        "SSL://127.0.0.1:9093", "SASL_SSL://127.0.0.1:9094",
    ]  # fmt: skip
    assert props["ssl.keystore.type"] == "PEM"
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert 'user_svc="pw"' in props["listener.name.sasl_ssl.plain.sasl.jaas.config"]
    plain = server_properties(BrokerConfig(tmp_path, port=9092, controller_port=9095))
    assert "SSL" not in plain["listeners"]
    assert "ssl.keystore.type" not in plain
