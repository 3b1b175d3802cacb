"""Wiring: settings → Kafka producer → ledger → staging → one poller per partner.

Start-up order matters: the transactional producer starts first (fencing a previous instance and
aborting its open transaction), then the ledger is read to its committed end, then polling
starts. `stop` (SIGTERM) ends polling; downloads in flight get `drain_timeout_s` to finish, the
rest are abandoned cleanly; then the producer flushes and every connection closes.

Health (`serve` only; EDIMESH_HEALTH_PORT): ready once the producer has started and the ledger
is rebuilt, until every partner is halted (a fail-fast error that needs an operator).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import AsyncExitStack
from dataclasses import dataclass
from functools import partial

from opentelemetry.trace import Tracer
from pydantic import ValidationError

from edimesh.errors import EdiMeshError
from edimesh.mesh.admin import ensure_topics
from edimesh.mesh.topics import mesh_topics
from edimesh.telemetry import KafkaSpans, Masker, Telemetry
from edimesh.telemetry.health import HealthServer, HealthSettings, Readiness
from edimesh.telemetry.metrics import MeshMetrics, noop_metrics
from edimesh.transfer.allocator import tune_allocator
from edimesh.transfer.backoff import Backoff
from edimesh.transfer.download import ReadPlan
from edimesh.transfer.handler import FileHandler
from edimesh.transfer.ledger import StagedLedger, read_ledger
from edimesh.transfer.link import Connector, PartnerLink
from edimesh.transfer.poller import PartnerPoller, PartnerStatus, State
from edimesh.transfer.publisher import StagedPublisher
from edimesh.transfer.remote import SftpSource
from edimesh.transfer.settings import TransferConfig, TransferSettings
from edimesh.transfer.sshclient import LinkOptions, connect, preflight
from edimesh.transfer.staging import DiskFree, StagingArea, disk_free

_log = logging.getLogger(__name__)
EXIT_CONFIG = 2
# Readiness conditions (the names /readyz reports when unmet).
PRODUCER_STARTED = "producer_started"
LEDGER_LOADED = "ledger_loaded"
PARTNERS_ACTIVE = "partners_active"


@dataclass(frozen=True, slots=True)
class Adapters:
    """What tests may swap; production uses the defaults."""

    connector: Connector = connect
    disk_free: DiskFree = disk_free


class TransferService:
    def __init__(
        self,
        config: TransferConfig,
        *,
        masker: Masker,
        tracer: Tracer,
        adapters: Adapters | None = None,
        readiness: Readiness | None = None,
        metrics: MeshMetrics | None = None,
    ):
        self.config = config
        self._metrics = metrics or noop_metrics()
        self._masker = masker
        self._tracer = tracer
        self._adapters = adapters or Adapters()
        self.status: dict[str, PartnerStatus] = {}
        self.ready = asyncio.Event()  # set once the ledger is loaded and polling starts
        self.readiness = readiness or Readiness()
        self.readiness.clear(PRODUCER_STARTED)
        self.readiness.clear(LEDGER_LOADED)
        self.readiness.require(PARTNERS_ACTIVE, lambda: not self.all_halted())

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set (or every partner is halted); raises on a fatal error."""
        settings = self.config.settings
        for partner in self.config.partners:
            preflight(partner)
        topics = mesh_topics(settings.topic_prefix)
        bootstrap = settings.resolved_bootstrap()
        if settings.create_topics:
            await ensure_topics(bootstrap, [topics.files_staged, topics.staged_ledger])
        async with AsyncExitStack() as stack:
            stack.callback(self.readiness.clear, PRODUCER_STARTED)  # not ready while stopping
            publisher = await stack.enter_async_context(
                StagedPublisher(
                    bootstrap,
                    events_topic=topics.files_staged.name,
                    ledger_topic=topics.staged_ledger.name,
                    transactional_id=settings.transactional_id,
                    spans=KafkaSpans(self._tracer, self._masker, "edimesh-transfer"),
                )
            )
            self.readiness.set(PRODUCER_STARTED)
            ledger = await read_ledger(
                bootstrap, topics.staged_ledger.name, StagedLedger(settings.ledger_retention_ms)
            )
            self.readiness.set(LEDGER_LOADED)
            staging = StagingArea(
                settings.staging_dir,
                settings.staging_reserve_bytes,
                self._adapters.disk_free,
                settings.resume_checkpoint_bytes,
            )
            limiter = asyncio.Semaphore(settings.max_concurrent_downloads)
            pollers = []
            for partner in self.config.partners:
                link = await stack.enter_async_context(
                    PartnerLink(
                        partner,
                        _link_options(settings),
                        _backoff(settings),
                        connector=self._adapters.connector,
                        on_retry=partial(self._metrics.retried, "sftp.reconnect"),
                    )
                )
                source = SftpSource(partner, link, _read_plan(settings))
                handler = FileHandler(
                    partner,
                    source=source,
                    staging=staging,
                    ledger=ledger,
                    publisher=publisher,
                    masker=self._masker,
                    tracer=self._tracer,
                    metrics=self._metrics,
                )
                swept = staging.sweep(partner.name)
                poller = PartnerPoller(
                    source, handler, limiter, drain_timeout_s=settings.drain_timeout_s
                )
                self.status[partner.name] = poller.status
                pollers.append(poller)
                _log.info(
                    "partner %s: ready (%d unresumable part files removed)", partner.name, swept
                )
            _log.info("transfer: %d partners, ledger holds %d files", len(pollers), len(ledger))
            self.ready.set()
            async with asyncio.TaskGroup() as group:
                for poller in pollers:
                    group.create_task(poller.run(stop))
        _log.info("transfer: stopped")

    def all_halted(self) -> bool:
        return bool(self.status) and all(s.state is State.HALTED for s in self.status.values())


def _link_options(settings: TransferSettings) -> LinkOptions:
    return LinkOptions(
        connect_timeout_s=settings.connect_timeout_s,
        keepalive_interval_s=settings.keepalive_interval_s,
        keepalive_count_max=settings.keepalive_count_max,
        window_bytes=settings.ssh_window_bytes,
        max_packet_bytes=settings.ssh_max_packet_bytes,
    )


def _backoff(settings: TransferSettings) -> Backoff:
    return Backoff(settings.retry_attempts, settings.backoff_initial_s, settings.backoff_max_s)


def _read_plan(settings: TransferSettings) -> ReadPlan:
    return ReadPlan(settings.read_block_bytes, settings.read_requests)


async def serve(config: TransferConfig, telemetry: Telemetry) -> int:
    """Run until SIGTERM or SIGINT; the process exit status (0 stopped, 1 failed, 2 bad
    health settings)."""
    try:
        health = HealthSettings()
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
        _log.error("transfer: invalid EDIMESH_HEALTH_* settings: %s", fields)
        return EXIT_CONFIG
    tune_allocator()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    _log.info("transfer settings", extra={"settings": config.settings.describe()})
    readiness = Readiness()
    service = TransferService(
        config,
        masker=telemetry.masker,
        tracer=telemetry.tracer,
        readiness=readiness,
        metrics=telemetry.metrics,
    )
    try:
        async with HealthServer(health, readiness):
            await service.run(stop)
    except Exception as exc:  # noqa: BLE001 - the process boundary: log safely, exit 1
        for leaf in _leaves(exc):
            if isinstance(leaf, EdiMeshError):
                _log.error("transfer: %s: %s", type(leaf).__name__, leaf)
            else:  # not ours: its message may quote anything, so only the class is logged
                _log.error("transfer: stopped by an unexpected %s", type(leaf).__name__)
        return 1
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    return 1 if service.all_halted() else 0


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]
