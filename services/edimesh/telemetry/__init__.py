"""Telemetry without PHI: JSON logs, OpenTelemetry traces over Kafka, keyed-token masking.

At a service's start:

    from edimesh.telemetry import MaskLabel, TelemetrySettings, start_telemetry

    telemetry = start_telemetry(TelemetrySettings(service_name="splitter"))
    # ConfigError in production without EDIMESH_MASKING_KEY

Producing and consuming:

    with telemetry.kafka.send(topic, key=key, headers=headers,
                              key_label=MaskLabel.IDEMPOTENCY_KEY) as send:
        meta = await producer.send_and_wait(topic, value, key=key, headers=send.headers)
        send.set_delivery(meta.partition, meta.offset)

    with telemetry.kafka.process(record, group=group, key_label=MaskLabel.FILE_SHA256):
        with telemetry.work_span("split file", {"edimesh.sets": 12}):
            ...

Metrics (labels from closed sets; Prometheus text via `prometheus_exposition()`):

    telemetry.metrics.routed(Outcome.VALIDATED, topic)
    telemetry.metrics.acked(acks_topic, AckKind.X999)     # the acknowledger, per committed 999
    RouteMeter(telemetry.metrics, {topic: Outcome...}).committed(counts)   # per transaction
    consumer_watch.ConsumerWatch(consumer, readiness, telemetry.metrics, group=g).run()
    with telemetry.metrics.time_stage(Stage.VALIDATE):
        ...

Logging (stdlib; redaction is applied to every record whatever logger it comes from):

    log = logging.getLogger(__name__)
    log.info("set routed", extra={"idem": telemetry.masker.mask(MaskLabel.IDEMPOTENCY_KEY, k),
                                  "route": "quarantine"})
"""

from edimesh.telemetry.log_filter import RedactionFilter
from edimesh.telemetry.logs import JsonFormatter, configure_logging
from edimesh.telemetry.masking import Masker, MaskLabel, keyed_token
from edimesh.telemetry.messaging import ConsumedRecord, KafkaSpans, SendSpan
from edimesh.telemetry.metrics import (
    AckKind,
    MeshMetrics,
    Outcome,
    RouteMeter,
    Stage,
    configure_metrics,
    noop_metrics,
    prometheus_exposition,
)
from edimesh.telemetry.propagation import extract_trace_context, inject_trace_headers
from edimesh.telemetry.redaction import scrub
from edimesh.telemetry.runtime import Telemetry, start_telemetry
from edimesh.telemetry.safe_errors import SafeException, describe_exception, safe_message
from edimesh.telemetry.settings import TelemetrySettings
from edimesh.telemetry.spans import record_exception_safely, safe_span, work_span
from edimesh.telemetry.tracing import configure_tracing

__all__ = [
    "AckKind",
    "ConsumedRecord",
    "JsonFormatter",
    "KafkaSpans",
    "MaskLabel",
    "Masker",
    "MeshMetrics",
    "Outcome",
    "RedactionFilter",
    "RouteMeter",
    "SafeException",
    "SendSpan",
    "Stage",
    "Telemetry",
    "TelemetrySettings",
    "configure_logging",
    "configure_metrics",
    "configure_tracing",
    "describe_exception",
    "extract_trace_context",
    "inject_trace_headers",
    "keyed_token",
    "noop_metrics",
    "prometheus_exposition",
    "record_exception_safely",
    "safe_message",
    "safe_span",
    "scrub",
    "start_telemetry",
    "work_span",
]
