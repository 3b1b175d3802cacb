"""start_telemetry: one call wires logs, masking and tracing; a canary run through all of it."""

from __future__ import annotations

import io
import logging

import orjson
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from edimesh.errors import ConfigError, SchemaError
from edimesh.telemetry import (
    MaskLabel,
    Outcome,
    Stage,
    TelemetrySettings,
    prometheus_exposition,
    start_telemetry,
)

from . import canaries
from .test_messaging import Record, span_text

log = logging.getLogger("edimesh.tests.runtime")


def test_start_refuses_production_without_a_key() -> None:
    with pytest.raises(ConfigError):
        start_telemetry(
            TelemetrySettings(env="production"),
            set_global=False,
            install_excepthooks=False,
            log_stream=io.StringIO(),
        )


def test_start_logs_its_settings_once_and_warns_about_an_ephemeral_key() -> None:
    stream = io.StringIO()
    with start_telemetry(
        TelemetrySettings(service_name="transfer", env="development"),
        set_global=False,
        install_excepthooks=False,
        log_stream=stream,
        metrics_registry=CollectorRegistry(),
    ) as telemetry:
        assert telemetry.masker.ephemeral
    settings_line, warning = [orjson.loads(x) for x in stream.getvalue().splitlines()]
    assert settings_line["message"] == "telemetry settings"
    assert settings_line["settings"]["service_name"] == "transfer"
    assert settings_line["settings"]["masking_key"] == "unset"
    assert warning["level"] == "WARNING"
    assert "ephemeral" in warning["message"]
    telemetry.shutdown()  # a second shutdown is harmless


def test_a_canary_run_through_logs_and_spans_leaks_nothing() -> None:
    """What the end-to-end canary test will do across the mesh, within one process."""
    stream, spans = io.StringIO(), InMemorySpanExporter()
    settings = TelemetrySettings(
        service_name="validator",
        env="production",
        masking_key=SecretStr("".join(canaries.MASKING_KEY_PARTS)),
    )
    registry = CollectorRegistry()
    telemetry = start_telemetry(
        settings,
        span_exporter=spans,
        set_global=False,
        install_excepthooks=False,
        log_stream=stream,
        metrics_registry=registry,
    )
    key = canaries.IDEMPOTENCY_KEY.encode()
    idem = MaskLabel.IDEMPOTENCY_KEY
    with telemetry.kafka.send("edi.transactions", key=key, key_label=idem) as send:
        log.info("sending %s", canaries.IDEMPOTENCY_KEY)
        record = Record("edi.transactions", 0, 7, key, send.headers)

    def validate() -> None:
        with (
            telemetry.kafka.process(record, group="validator", key_label=idem),
            telemetry.work_span("validate set", {"edimesh.segment": canaries.SEGMENT}),
            telemetry.metrics.time_stage(Stage.VALIDATE),
        ):
            log.warning(
                "member %s born %s",
                canaries.MEMBER_ID,
                canaries.BIRTH_DATE,
                extra={"idem": telemetry.masker.mask(idem, key)},
            )
            raise SchemaError(f"REF*SY*{canaries.SSN}~ is not allowed here")

    with pytest.raises(SchemaError):
        validate()
    telemetry.metrics.routed(Outcome.QUARANTINE, "edi.quarantine")
    telemetry.metrics.set_lag("edi.transactions", 0, "validator", 3)
    scrape = prometheus_exposition(registry)[0].decode()
    telemetry.shutdown()

    finished = spans.get_finished_spans()
    assert [s.name for s in finished] == [
        "send edi.transactions",
        "validate set",
        "process edi.transactions",
    ]
    assert 'edimesh_route="quarantine"' in scrape
    everything = stream.getvalue() + span_text(finished) + scrape
    assert canaries.MASKING_KEY_PARTS[0] not in everything
    assert not canaries.leaks(everything)
    # not vacuous: the message itself still carries the raw key, telemetry only its token
    assert record.key == key
    token = telemetry.masker.mask(idem, key)
    assert token in stream.getvalue()
    assert token in span_text(finished)
