"""The per-file flow, with fakes: publish before dispose, once per content, never on failure."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib

import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from pydantic import SecretStr

from edimesh.errors import TransientError
from edimesh.telemetry import Masker
from edimesh.telemetry.metrics import MeshMetrics, mesh_metrics
from edimesh.transfer.completeness import RemoteEntry
from edimesh.transfer.errors import (
    LinkLostError,
    RemoteFileChangedError,
    RemoteFileUnreadableError,
    RetriesExhaustedError,
    StagingFullError,
)
from edimesh.transfer.handler import FileHandler, Outcome
from edimesh.transfer.ledger import StagedLedger
from edimesh.transfer.partners import Partner
from tests.unit.telemetry.metric_points import metric_points
from tests.unit.transfer.fakes import MemoryPublisher, MemorySource, MemoryStaging

AT = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
FILES = {"CANARY-a.x12": b"ISA*first", "b.x12": b"ISA*first", "c.x12": b"ISA*other"}


class World:
    def __init__(
        self,
        partner: Partner,
        ledger: StagedLedger | None = None,
        metrics: MeshMetrics | None = None,
    ):
        self.journal: list[str] = []
        self.source = MemorySource(dict(FILES), self.journal)
        self.staging = MemoryStaging(self.journal)
        self.publisher = MemoryPublisher(self.journal)
        self.ledger = ledger or StagedLedger()
        self.handler = FileHandler(
            partner,
            source=self.source,  # type: ignore[arg-type]
            staging=self.staging,
            ledger=self.ledger,
            publisher=self.publisher,
            masker=Masker("k9", SecretStr("k" * 32)),
            tracer=trace.get_tracer("tests"),
            clock=lambda: AT,
            metrics=metrics,
        )


@pytest.fixture
def partner(tmp_path: pytest.TempPathFactory) -> Partner:
    key = tmp_path / "key"  # type: ignore[operator]
    key.write_text("x")
    key.chmod(0o600)
    return Partner(
        name="acme", host="h", user="u", private_key=key, known_hosts=key,
        inbound_dir="/inbound", archive_dir="/archive",
    )  # fmt: skip


def entry(name: str) -> RemoteEntry:
    return RemoteEntry(name, len(FILES[name]), 1)


async def test_publishes_then_disposes(partner: Partner) -> None:
    world = World(partner)
    assert await world.handler.handle(entry("c.x12")) is Outcome.PUBLISHED
    file_id = hashlib.sha256(FILES["c.x12"]).hexdigest()
    assert world.journal == ["fetch c.x12", f"promote {file_id[:8]}", f"publish {file_id[:8]}",
                             "dispose c.x12"]  # fmt: skip
    (record,) = world.publisher.records
    assert record == {
        "file_id": file_id,
        "size_bytes": len(FILES["c.x12"]),
        "partner": "acme",
        "source_path_token": record["source_path_token"],
        "staging_uri": f"file:///staging/acme/{file_id}",
        "received_at": AT,
    }
    assert str(record["source_path_token"]).startswith("k9:path:")
    assert "c.x12" not in str(record["source_path_token"])
    assert file_id in world.ledger


async def test_same_content_under_another_name_is_disposed_not_published(partner: Partner) -> None:
    world = World(partner)
    assert await world.handler.handle(entry("CANARY-a.x12")) is Outcome.PUBLISHED
    assert await world.handler.handle(entry("b.x12")) is Outcome.DUPLICATE
    assert len(world.publisher.records) == 1
    assert world.journal[-2:] == ["fetch b.x12", "dispose b.x12"]
    assert world.staging.parts[-1].state == "discarded"
    assert world.handler.outcomes == {Outcome.PUBLISHED: 1, Outcome.DUPLICATE: 1}


async def test_ledger_rebuilt_from_kafka_means_no_second_event(partner: Partner) -> None:
    known = StagedLedger()
    known.record(hashlib.sha256(FILES["c.x12"]).hexdigest())
    world = World(partner, known)
    assert await world.handler.handle(entry("c.x12")) is Outcome.DUPLICATE
    assert world.publisher.records == []
    assert world.journal == ["fetch c.x12", "dispose c.x12"]


async def test_publish_failure_keeps_the_remote_file_and_frees_the_claim(partner: Partner) -> None:
    world = World(partner)
    world.publisher.fail = TransientError("broker down")
    with pytest.raises(TransientError):
        await world.handler.handle(entry("c.x12"))
    assert not any(line.startswith("dispose") for line in world.journal)
    world.publisher.fail = None
    assert await world.handler.handle(entry("c.x12")) is Outcome.PUBLISHED  # not a duplicate


@pytest.mark.parametrize(
    "failure",
    [
        RemoteFileChangedError("changed"),
        RemoteFileUnreadableError("denied"),
        StagingFullError("full"),
        ValueError("a bug"),
    ],
)
async def test_a_failure_of_the_file_or_disk_discards_the_part(
    partner: Partner, failure: Exception
) -> None:
    world = World(partner)
    world.source.fail_fetch = failure
    with pytest.raises(type(failure)):
        await world.handler.handle(entry("c.x12"))
    assert world.staging.parts[0].state == "discarded"
    assert world.publisher.records == []


@pytest.mark.parametrize("failure", [RetriesExhaustedError("gave up"), LinkLostError("dropped")])
async def test_a_download_given_up_for_its_link_keeps_the_part(
    partner: Partner, failure: Exception
) -> None:
    world = World(partner)
    world.source.fail_fetch = failure
    with pytest.raises(type(failure)):
        await world.handler.handle(entry("c.x12"))
    assert world.staging.parts[0].state == "kept"
    assert world.staging.keys == [world.handler.key_for(entry("c.x12"))]  # room for its rest
    assert world.publisher.records == []
    assert world.journal == []  # not disposed


async def test_a_link_error_while_shutting_down_keeps_the_part(partner: Partner) -> None:
    # On SIGTERM the poller aborts the link, so the read fails with whatever the dead
    # connection raises, not always CancelledError.
    world = World(partner)
    world.source.fail_fetch = ConnectionResetError()
    world.source.shutting_down = True
    with pytest.raises(ConnectionResetError):
        await asyncio.create_task(world.handler.handle(entry("c.x12")))
    assert world.staging.parts[0].state == "kept"


async def test_the_same_error_outside_a_shutdown_discards_the_part(partner: Partner) -> None:
    world = World(partner)
    world.source.fail_fetch = ConnectionResetError()
    with pytest.raises(ConnectionResetError):
        await world.handler.handle(entry("c.x12"))
    assert world.staging.parts[0].state == "discarded"


async def test_a_cancelled_download_keeps_the_part(partner: Partner) -> None:
    world = World(partner)
    world.source.stall_after = 3
    task = asyncio.create_task(world.handler.handle(entry("c.x12")))
    await world.source.stalled.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert world.staging.parts[0].state == "kept"
    assert world.staging.parts[0].data == FILES["c.x12"][:3]
    assert world.journal == []


async def test_dispose_failure_after_publish_is_counted_as_published(partner: Partner) -> None:
    world = World(partner)
    world.source.fail_dispose = TransientError("archive dir missing")
    with pytest.raises(TransientError):
        await world.handler.handle(entry("c.x12"))
    assert world.handler.outcomes[Outcome.PUBLISHED] == 1
    world.source.fail_dispose = None
    assert await world.handler.handle(entry("c.x12")) is Outcome.DUPLICATE


async def test_no_room_means_no_download(partner: Partner) -> None:
    world = World(partner)
    world.staging.free = 1
    with pytest.raises(TransientError):
        await world.handler.handle(entry("c.x12"))
    assert world.journal == []


async def test_concurrent_same_content_publishes_once(partner: Partner) -> None:
    world = World(partner)
    outcomes = await asyncio.gather(
        world.handler.handle(entry("CANARY-a.x12")), world.handler.handle(entry("b.x12"))
    )
    assert sorted(outcomes) == [Outcome.DUPLICATE, Outcome.PUBLISHED]
    assert len(world.publisher.records) == 1


def _total(reader: InMemoryMetricReader, name: str) -> float:
    """Metric `name` summed over its points (counter values, histogram counts)."""
    return float(sum(value for _, value in metric_points(reader, name)))


async def test_files_bytes_and_stage_times_are_measured(partner: Partner) -> None:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    world = World(partner, metrics=mesh_metrics(provider))
    await world.handler.handle(entry("c.x12"))
    await world.handler.handle(entry("b.x12"))
    await world.handler.handle(entry("CANARY-a.x12"))  # same bytes as b: not transferred again
    totals = {name: _total(reader, name) for name in
              ("edimesh.files.transferred", "edimesh.bytes.transferred", "edimesh.stage.duration")}
    provider.shutdown()
    assert totals == {
        "edimesh.files.transferred": 2,
        "edimesh.bytes.transferred": len(FILES["c.x12"]) + len(FILES["b.x12"]),
        "edimesh.stage.duration": 3 + 2 + 2,  # 3 downloads, 2 stagings, 2 publishes
    }
