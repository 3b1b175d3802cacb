"""The whole mesh in one process for the telemetry proofs: real sshd, real broker, transfer,
splitter and validator, sharing one Telemetry whose every output is captured in memory.

    with captured_telemetry() as cap:
        async with mesh_running(vbench, box, cap.telemetry) as mesh:
            ...
    cap.spans.get_finished_spans(); cap.log_lines(); cap.metric_texts()
"""

from __future__ import annotations

import asyncio
import io
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from edimesh.acknowledger.service import AcknowledgerService
from edimesh.acknowledger.settings import AcknowledgerSettings
from edimesh.splitter.service import SplitterService
from edimesh.telemetry import Telemetry, TelemetrySettings, prometheus_exposition, start_telemetry
from edimesh.telemetry.logs import QUIET_LOGGERS
from edimesh.transfer.service import TransferService
from edimesh.validator.service import ValidatorService
from tests.integration.kafka_helpers import WAIT_S, until
from tests.integration.sftp.harness import Mesh, PartnerBox
from tests.integration.validator.harness import ValidatorBench

MASKING_KEY = SecretStr("telemetry-proof-masking-key-0123456789abcdef")
PARTNER = "acme"


@dataclass
class Captured:
    """One Telemetry for the whole in-process mesh, and where its outputs land."""

    telemetry: Telemetry
    spans: InMemorySpanExporter
    reader: InMemoryMetricReader
    registry: CollectorRegistry
    logs: io.StringIO

    def finished(self) -> tuple[ReadableSpan, ...]:
        return self.spans.get_finished_spans()

    def log_lines(self) -> list[str]:
        return self.logs.getvalue().splitlines()

    def metric_texts(self) -> list[str]:
        """Every data point's metric name and attributes, and every exemplar's attributes and
        ids (OTLP's view), plus the Prometheus scrape text (what /metrics serves). Exemplars
        are handed out once: a second collection has only those recorded since."""
        out: list[str] = []
        data = self.reader.get_metrics_data()
        for rm in data.resource_metrics if data is not None else ():
            out.append(repr(dict(rm.resource.attributes)))
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    for point in metric.data.data_points:
                        out.append(f"{metric.name} {dict(point.attributes or {})!r}")
                        out.extend(
                            f"exemplar {dict(e.filtered_attributes or {})!r} "
                            f"{e.trace_id} {e.span_id}"
                            for e in getattr(point, "exemplars", None) or ()
                        )
        body, _ = prometheus_exposition(self.registry)
        out.append(body.decode("utf-8"))
        return out


def span_texts(span: ReadableSpan) -> list[str]:
    """Everything a span exports: name, attributes, events, links, status message."""
    out = [span.name, repr(dict(span.attributes or {}))]
    out += [f"{e.name} {dict(e.attributes or {})!r}" for e in span.events]
    out += [f"link {dict(link.attributes or {})!r}" for link in span.links]
    out.append(span.status.description or "")
    return out


@contextmanager
def captured_telemetry() -> Iterator[Captured]:
    """Logs (root at DEBUG, through the JSON formatter and redaction filter), spans and metrics
    into memory; the logging configuration is put back afterwards."""
    root = logging.getLogger()
    saved_root = (list(root.handlers), root.level)
    quiet = {name: logging.getLogger(name) for name in QUIET_LOGGERS}
    saved_quiet = {name: (lg.level, list(lg.filters)) for name, lg in quiet.items()}
    stream = io.StringIO()
    exporter = InMemorySpanExporter()
    reader = InMemoryMetricReader()
    registry = CollectorRegistry()
    settings = TelemetrySettings(
        service_name="mesh-proof", env="test", log_level="DEBUG", masking_key=MASKING_KEY
    )
    telemetry = start_telemetry(
        settings,
        span_exporter=exporter,
        set_global=False,
        install_excepthooks=False,
        log_stream=stream,
        metrics_registry=registry,
        metric_readers=[reader],
    )
    try:
        yield Captured(telemetry, exporter, reader, registry, stream)
    finally:
        telemetry.shutdown()
        for handler in root.handlers:
            if handler not in saved_root[0]:
                root.removeHandler(handler)
        root.setLevel(saved_root[1])
        for name, lg in quiet.items():
            lg.setLevel(saved_quiet[name][0])
            lg.filters[:] = saved_quiet[name][1]


@dataclass
class RunningMesh:
    vbench: ValidatorBench
    transfer: TransferService
    splitter: SplitterService
    validator: ValidatorService
    acknowledger: AcknowledgerService


def acknowledger_settings(vbench: ValidatorBench) -> AcknowledgerSettings:
    bench = vbench.splitter
    return AcknowledgerSettings.model_validate({
        "bootstrap": bench.bootstrap,
        "group_id": bench.group_id.replace("splitter-", "acknowledger-"),
        "topic_prefix": bench.prefix,
        "session_timeout_ms": 6000,
        "heartbeat_interval_ms": 500,
        "shutdown_timeout_s": 10,
        "retry_backoff_s": 0.05,
    })  # fmt: skip


@asynccontextmanager
async def mesh_running(
    vbench: ValidatorBench, box: PartnerBox, telemetry: Telemetry
) -> AsyncIterator[RunningMesh]:
    """Splitter, validator and acknowledger (group members first), then the transfer polling
    `box`; all stopped gracefully when the block ends."""
    bench = vbench.splitter
    mesh = Mesh(bench.bootstrap, bench.prefix, f"edimesh-transfer-{uuid.uuid4().hex[:10]}")
    config = mesh.config(bench.staging, box.partner(PARTNER), create_topics=False)
    async with (
        SplitterService(bench.settings(), telemetry) as splitter,
        ValidatorService(vbench.settings(), telemetry) as validator,
        AcknowledgerService(acknowledger_settings(vbench), telemetry) as acknowledger,
    ):
        transfer = TransferService(
            config, masker=telemetry.masker, tracer=telemetry.tracer, metrics=telemetry.metrics
        )
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(splitter.run()),
            asyncio.create_task(validator.run()),
            asyncio.create_task(acknowledger.run()),
            asyncio.create_task(transfer.run(stop)),
        ]
        try:
            yield RunningMesh(vbench, transfer, splitter, validator, acknowledger)
        finally:
            stop.set()
            for service in (splitter, validator, acknowledger):
                service.request_stop()
            async with asyncio.timeout(WAIT_S):
                await asyncio.gather(*tasks)


async def wait_for_spans(cap: Captured, names: dict[str, int], what: str) -> None:
    """Until at least `names[name]` finished spans of each name exist (send spans end just
    after their transaction commits, so outputs can be visible a moment before)."""

    async def enough() -> bool:
        found: dict[str, int] = {}
        for span in cap.finished():
            found[span.name] = found.get(span.name, 0) + 1
        return all(found.get(name, 0) >= n for name, n in names.items())

    await until(enough, what)


def by_id(spans: tuple[ReadableSpan, ...]) -> dict[int, ReadableSpan]:
    return {span.context.span_id: span for span in spans if span.context is not None}


def parent_of(span: ReadableSpan, spans: dict[int, ReadableSpan]) -> ReadableSpan | None:
    return spans.get(span.parent.span_id) if span.parent is not None else None


def attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})
