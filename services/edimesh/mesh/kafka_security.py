"""How every edimesh Kafka client authenticates and encrypts: one set of `EDIMESH_KAFKA_*`
variables, shared by the services and the CLI.

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, ..., **client_options())

| variable                              | meaning                                              |
|---------------------------------------|------------------------------------------------------|
| EDIMESH_KAFKA_SECURITY_PROTOCOL       | PLAINTEXT, SSL or SASL_SSL (SASL_PLAINTEXT only with |
|                                       | EDIMESH_KAFKA_ALLOW_PLAINTEXT_SASL=true)             |
| EDIMESH_KAFKA_ALLOW_PLAINTEXT_SASL    | true: accept SASL_PLAINTEXT (password and PHI in the |
|                                       | clear on the wire; never in production)              |
| EDIMESH_KAFKA_SSL_CAFILE              | PEM file of the CA(s) that signed the brokers'       |
|                                       | certificates; unset: the system's trusted CAs        |
| EDIMESH_KAFKA_SSL_CERTFILE            | PEM client certificate (mutual TLS)                  |
| EDIMESH_KAFKA_SSL_KEYFILE             | PEM private key of the client certificate            |
| EDIMESH_KAFKA_SSL_KEY_PASSWORD        | password of an encrypted private key                 |
| EDIMESH_KAFKA_SSL_KEY_PASSWORD_FILE   | file holding that password (a Kubernetes Secret)     |
| EDIMESH_KAFKA_SASL_MECHANISM          | PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; required with |
|                                       | SASL                                                 |
| EDIMESH_KAFKA_SASL_USERNAME           | SASL user                                            |
| EDIMESH_KAFKA_SASL_PASSWORD           | SASL password                                        |
| EDIMESH_KAFKA_SASL_PASSWORD_FILE      | file holding the SASL password (a Kubernetes Secret) |

A setting that the chosen protocol would ignore is an error, not a silent plaintext
connection: a CA file with PLAINTEXT means the protocol was forgotten. Error messages name
variables and file paths, never a secret's value.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from pathlib import Path
from typing import Any, Literal

from aiokafka.helpers import create_ssl_context
from pydantic import SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from edimesh.errors import ConfigError

PREFIX = "EDIMESH_KAFKA_"

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_SSL", "SASL_PLAINTEXT"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

_SSL_FIELDS = ("ssl_cafile", "ssl_certfile", "ssl_keyfile", "ssl_key_password",
               "ssl_key_password_file")  # fmt: skip
_SASL_FIELDS = ("sasl_mechanism", "sasl_username", "sasl_password", "sasl_password_file")


def _var(field: str) -> str:
    return f"{PREFIX}{field.upper()}"


class KafkaSecuritySettings(BaseSettings):
    """TLS and SASL for the Kafka clients; read from the environment at each client start."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, frozen=True, extra="ignore", env_ignore_empty=True
    )

    security_protocol: SecurityProtocol = "PLAINTEXT"
    allow_plaintext_sasl: bool = False
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    ssl_key_password: SecretStr | None = None
    ssl_key_password_file: Path | None = None
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    sasl_password_file: Path | None = None

    @model_validator(mode="after")
    def _check(self) -> KafkaSecuritySettings:
        protocol = self.security_protocol
        tls = protocol in ("SSL", "SASL_SSL")
        sasl = protocol.startswith("SASL_")
        if protocol == "SASL_PLAINTEXT" and not self.allow_plaintext_sasl:
            raise ValueError(
                f"{_var('security_protocol')}=SASL_PLAINTEXT sends the password and the data"
                f" unencrypted: use SASL_SSL, or set {_var('allow_plaintext_sasl')}=true"
            )
        for fields, wanted, needs in ((_SSL_FIELDS, tls, "SSL or SASL_SSL"),
                                      (_SASL_FIELDS, sasl, "SASL_SSL")):  # fmt: skip
            for field in fields:
                if getattr(self, field) is not None and not wanted:
                    raise ValueError(
                        f"{_var(field)} is set but {_var('security_protocol')} is {protocol},"
                        f" which does not use it: set the protocol to {needs}"
                    )
        for field in ("ssl_cafile", "ssl_certfile", "ssl_keyfile"):
            path = getattr(self, field)
            if path is not None and not path.is_file():
                raise ValueError(f"{_var(field)}: {path} is not a file")
        if self.ssl_keyfile is not None and self.ssl_certfile is None:
            raise ValueError(f"{_var('ssl_keyfile')} needs {_var('ssl_certfile')}")
        _one_of(self, "ssl_key_password")
        if self.ssl_certfile is None and self.key_password() is not None:
            raise ValueError(f"{_var('ssl_key_password')} needs {_var('ssl_certfile')}")
        if sasl:
            if self.sasl_mechanism is None:
                raise ValueError(
                    f"{_var('sasl_mechanism')} is required with {protocol}:"
                    " PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"
                )
            if not self.sasl_username:
                raise ValueError(f"{_var('sasl_username')} is required with {protocol}")
            _one_of(self, "sasl_password")
            if self.password() is None:
                raise ValueError(
                    f"{_var('sasl_password')} or {_var('sasl_password_file')} is required"
                    f" with {protocol}"
                )
        return self

    def key_password(self) -> str | None:
        return _secret(self, "ssl_key_password")

    def password(self) -> str | None:
        return _secret(self, "sasl_password")

    def client_options(self) -> dict[str, Any]:
        """aiokafka keyword arguments; empty for PLAINTEXT (aiokafka's own default)."""
        if self.security_protocol == "PLAINTEXT":
            return {}
        options: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.security_protocol in ("SSL", "SASL_SSL"):
            options["ssl_context"] = self.ssl_context()
        if self.sasl_mechanism is not None:
            _hide_sasl_requests()
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = self.password()
        return options

    def ssl_context(self) -> ssl.SSLContext:
        """Verifies the broker's certificate and host name (aiokafka's create_ssl_context)."""
        try:
            context: ssl.SSLContext = create_ssl_context(
                cafile=self.ssl_cafile,
                certfile=self.ssl_certfile,
                keyfile=self.ssl_keyfile,
                # Never None: OpenSSL would prompt on the terminal for an encrypted key.
                password=self.key_password() or "",
            )
        except (ssl.SSLError, OSError) as exc:
            used = [_var(f) for f in ("ssl_cafile", "ssl_certfile", "ssl_keyfile")
                    if getattr(self, f) is not None]  # fmt: skip
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise ConfigError(
                f"cannot load the Kafka TLS files ({', '.join(used) or 'system CAs'}): {reason}"
            ) from None
        return context


class _HideSaslBytes(logging.Filter):
    """aiokafka.conn logs every request at DEBUG; a SASL PLAIN one holds the password."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG or "sasl_auth_bytes" not in record.getMessage()


def _hide_sasl_requests() -> None:
    conn = logging.getLogger("aiokafka.conn")
    if not any(isinstance(f, _HideSaslBytes) for f in conn.filters):
        conn.addFilter(_HideSaslBytes())


def _one_of(settings: KafkaSecuritySettings, field: str) -> None:
    if getattr(settings, field) is not None and getattr(settings, f"{field}_file") is not None:
        raise ValueError(f"set {_var(field)} or {_var(field + '_file')}, not both")


def _secret(settings: KafkaSecuritySettings, field: str) -> str | None:
    value: SecretStr | None = getattr(settings, field)
    if value is not None:
        return value.get_secret_value()
    path: Path | None = getattr(settings, f"{field}_file")
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"{_var(field + '_file')}: cannot read {path} ({type(exc).__name__})"
        ) from None
    # A file written with echo ends in a newline that is not part of the secret.
    return text.rstrip("\r\n")


def kafka_security() -> KafkaSecuritySettings:
    """The settings from the environment; a bad one is a ConfigError naming the variable."""
    try:
        return KafkaSecuritySettings()
    except ValidationError as exc:
        raise ConfigError(f"Kafka security settings: {_describe(exc)}") from None


def _describe(exc: ValidationError) -> str:
    # Only location and message: pydantic's own text repeats the input, which may be a secret.
    parts = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = [str(part) for part in error["loc"]]
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{_var(loc[0])}: {message}" if loc else message)
    return "; ".join(parts)


def client_options() -> dict[str, Any]:
    """aiokafka keyword arguments (security_protocol, ssl_context, sasl_*) from the environment."""
    return kafka_security().client_options()


async def tls_failure(bootstrap: str, timeout_s: float = 5.0) -> str | None:
    """Why a TLS handshake with the first bootstrap server fails, else None (also when TLS is
    off or the server is unreachable). aiokafka only logs this cause; errors should carry it."""
    try:
        settings = kafka_security()
        if settings.security_protocol not in ("SSL", "SASL_SSL"):
            return None
        context = settings.ssl_context()
    except ConfigError as exc:
        return str(exc)
    host, _, port = bootstrap.split(",", maxsplit=1)[0].strip().rpartition(":")
    try:
        async with asyncio.timeout(timeout_s):
            _, writer = await asyncio.open_connection(host.strip("[]"), int(port), ssl=context)
            writer.close()
    except ssl.SSLCertVerificationError as exc:
        return (
            f"the broker's TLS certificate is not trusted ({exc.verify_message}):"
            f" check {_var('ssl_cafile')}"
        )
    except ssl.SSLError as exc:
        return f"TLS handshake failed ({exc.reason or type(exc).__name__})"
    except (OSError, TimeoutError, ValueError):
        return None
    return None
