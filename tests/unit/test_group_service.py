"""The shared service lifecycle without a broker: workers started and stopped on rebalance,
readiness, records without an owner fetched again, entering and leaving the context."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

import pytest
from aiokafka import TopicPartition

from edimesh.mesh.group_service import (
    KAFKA_REACHABLE,
    PARTITIONS_ASSIGNED,
    STARTED,
    GroupService,
)
from edimesh.mesh.service_settings import GroupServiceSettings
from edimesh.telemetry.health import HealthSettings

_log = logging.getLogger("tests.tiny")
TOPIC = "in"


@dataclass
class FakeWorker:
    key: int
    stopping: bool = False
    started: bool = False
    stopped_with: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.started = True

    async def stop(self, timeout_s: float) -> None:
        self.stopping = True
        self.stopped_with.append(timeout_s)


class FakeConsumer:
    def __init__(self, assigned: set[TopicPartition]) -> None:
        self.assigned = assigned
        self.seeks: list[tuple[TopicPartition, int]] = []
        self.resumed: list[TopicPartition] = []

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks.append((tp, offset))

    def resume(self, tp: TopicPartition) -> None:
        self.resumed.append(tp)


@dataclass(frozen=True)
class Record:
    offset: int


class TinyService(GroupService[int, FakeWorker]):
    def __init__(self, fail_start: bool = False) -> None:
        settings = GroupServiceSettings(shutdown_timeout_s=3.5, health=HealthSettings(port=None))
        super().__init__("tiny", settings, _log)
        self.fail_start = fail_start
        self.cleaned = False

    async def _start(self, stack: AsyncExitStack) -> None:
        stack.callback(setattr, self, "cleaned", True)
        if self.fail_start:
            raise RuntimeError("cannot start")

    def assign(self, assigned: set[TopicPartition]) -> None:
        self._start_workers((tp.partition for tp in assigned), FakeWorker)

    async def revoke(self, revoked: set[TopicPartition]) -> None:
        await self._stop_workers(tp.partition for tp in revoked)


def tps(*partitions: int) -> set[TopicPartition]:
    return {TopicPartition(TOPIC, p) for p in partitions}


async def test_assignment_starts_one_worker_per_partition_and_revocation_stops_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = TinyService()
    with caplog.at_level(logging.INFO, logger=_log.name):
        service.assign(tps(1, 0))
        first = dict(service._workers)
        service.assign(tps(0, 1, 2))  # a worker that exists is kept
        assert service._workers[0] is first[0]
        assert all(w.started for w in service._workers.values())
        assert PARTITIONS_ASSIGNED not in service.readiness.unmet()
        await service.revoke(tps(0, 2))
    assert sorted(service._workers) == [1]
    assert first[0].stopped_with == [3.5]
    assert PARTITIONS_ASSIGNED in service.readiness.unmet()
    logged = [(r.getMessage(), getattr(r, "partitions", None)) for r in caplog.records]
    assert logged == [("partitions assigned", [0, 1]), ("partitions assigned", [0, 1, 2]),
                      ("partitions revoked", [0, 2])]  # fmt: skip


async def test_an_empty_assignment_is_a_ready_idle_member() -> None:
    service = TinyService()
    service.assign(set())
    assert service._workers == {}
    assert PARTITIONS_ASSIGNED not in service.readiness.unmet()


async def test_an_assignment_while_stopping_starts_nothing() -> None:
    service = TinyService()
    service.request_stop()
    service.assign(tps(0))
    assert service._workers == {}


async def test_records_without_a_running_owner_are_fetched_again() -> None:
    service = TinyService()
    consumer = FakeConsumer(tps(0, 1))
    service._consumer = consumer
    service.assign(tps(0))
    owned, unowned, gone = TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1), TopicPartition(
        TOPIC, 2)  # fmt: skip
    assert service._owner(0, owned, [Record(5)]) is service._workers[0]
    assert service._owner(1, unowned, [Record(7), Record(8)]) is None
    assert service._owner(2, gone, [Record(9)]) is None  # not assigned: nothing to seek
    service._workers[0].stopping = True
    assert service._owner(0, owned, [Record(5)]) is None
    assert consumer.seeks == [(unowned, 7), (owned, 5)]
    service._resume(0, owned)
    service._resume(1, unowned)  # no worker: stays paused
    assert consumer.resumed == [owned]


async def test_entering_marks_started_and_leaving_stops_workers_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger=_log.name):
        async with TinyService() as service:
            assert service.readiness.unmet() == [KAFKA_REACHABLE, PARTITIONS_ASSIGNED]
            assert service.health_port is None
        assert STARTED in service.readiness.unmet()
        assert service.cleaned
        await service.aclose()
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["tiny started", "tiny stopped"]


async def test_a_failed_start_unwinds_what_started() -> None:
    service = TinyService(fail_start=True)
    with pytest.raises(RuntimeError, match="cannot start"):
        await service.__aenter__()
    assert service.cleaned
    assert STARTED in service.readiness.unmet()


async def test_run_before_entering_is_refused() -> None:
    with pytest.raises(RuntimeError, match="async with"):
        await TinyService().run()


def test_worker_keys_may_be_topic_partitions() -> None:
    class ByTopicPartition(GroupService[TopicPartition, FakeWorker]):
        def assign(self, assigned: set[TopicPartition]) -> None:
            self._start_workers(assigned, lambda tp: FakeWorker(tp.partition))

    service = ByTopicPartition("tp", GroupServiceSettings(), _log)
    service.assign(tps(3))
    assert list(service._workers) == [TopicPartition(TOPIC, 3)]
