"""An acknowledger test bench on the real broker, on top of the validator's: the splitter and
the validator feed the manifests and set results, the acknowledger runs in-process or as a
subprocess, and the 999s are read back and parsed."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition

from edimesh.acknowledger.service import AcknowledgerService
from edimesh.acknowledger.settings import AcknowledgerSettings
from edimesh.mesh.codec import decode
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import TopicSpec
from edimesh.x12.delimiters import Delimiters
from edimesh.x12.events import GroupSummary, InterchangeSummary, TransactionSetUnit
from edimesh.x12.segments import Segment, iter_segments
from edimesh.x12.stream import X12Stream
from tests.integration.kafka_helpers import started, until
from tests.integration.service_process import prefixed_env, running, settings_from_env, spawn
from tests.integration.splitter.harness import SplitterBench
from tests.integration.validator.harness import ValidatorBench

PREFIX = "EDIMESH_ACKNOWLEDGER_"


@dataclass(frozen=True)
class Parsed999:
    """A 999 parsed back with the X12 core: its segments (ISA to IEA), and the stream's
    verdict."""

    segments: tuple[Segment, ...]
    clean: bool  # one interchange, one group, one 999 set, no envelope errors

    def all(self, segment_id: str) -> list[Segment]:
        return [s for s in self.segments if s.id == segment_id]

    def one(self, segment_id: str) -> Segment:
        found = self.all(segment_id)
        assert len(found) == 1, (segment_id, len(found))
        return found[0]


def parse_999(text: str) -> Parsed999:
    stream = X12Stream()
    events = stream.feed(text.encode("latin-1")) + stream.finish()
    units = [e for e in events if isinstance(e, TransactionSetUnit)]
    groups = [e for e in events if isinstance(e, GroupSummary)]
    interchanges = [e for e in events if isinstance(e, InterchangeSummary)]
    clean = (len(units) == len(groups) == len(interchanges) == 1 and units[0].st01 == "999"
             and units[0].accepted and groups[0].accepted and interchanges[0].accepted)  # fmt: skip
    assert units, "a 999 must hold one transaction set"
    unit = units[0]
    delimiters: Delimiters = unit.interchange.delimiters
    return Parsed999(tuple(iter_segments(text.encode("latin-1"), delimiters)), clean)


@dataclass
class AckBench:
    validator: ValidatorBench

    @property
    def splitter(self) -> SplitterBench:
        return self.validator.splitter

    @property
    def group_id(self) -> str:
        return self.splitter.group_id.replace("splitter-", "acknowledger-")

    def env(self, **overrides: object) -> dict[str, str]:
        s = self.splitter
        values: dict[str, object] = {
            "bootstrap": s.bootstrap, "group_id": self.group_id, "topic_prefix": s.prefix,
            "session_timeout_ms": 6000, "heartbeat_interval_ms": 500, "shutdown_timeout_s": 10,
            "retry_backoff_s": 0.05, "sweep_interval_s": 0.2, **overrides,
        }  # fmt: skip
        return prefixed_env(PREFIX, values)

    def settings(self, **overrides: object) -> AcknowledgerSettings:
        return settings_from_env(AcknowledgerSettings, PREFIX, self.env(**overrides))

    @contextlib.asynccontextmanager
    async def running(self, **overrides: object) -> AsyncIterator[AcknowledgerService]:
        async with running(AcknowledgerService(self.settings(**overrides))) as service:
            yield service

    def spawn(self, name: str = "a", **overrides: object) -> subprocess.Popen[bytes]:
        """`python -m edimesh.acknowledger` as a real process; its output goes to a log file."""
        return spawn("edimesh.acknowledger", self.env(**overrides),
                     self.splitter.logs / f"acknowledger-{name}.log", self.splitter.procs)

    async def publish(self, spec: TopicSpec, value: bytes, headers: list[tuple[str, bytes]],
                      key: bytes | None, timestamp_ms: int | None = None) -> None:  # fmt: skip
        producer = AIOKafkaProducer(bootstrap_servers=self.splitter.bootstrap,
                                    enable_idempotence=True, acks="all")  # fmt: skip
        async with started(producer):
            await producer.send_and_wait(spec.name, value, key=key, headers=headers,
                                         timestamp_ms=timestamp_ms)  # fmt: skip

    async def acks(self) -> list[tuple[bytes | None, dict[str, Any]]]:
        """Every committed 999 on edi.acks (the splitter's TA1s left out): (key, value)."""
        spec = self.splitter.topics.acks
        decoded = [(r.key, decode(r.value, r.headers, expected=MessageType.ACKNOWLEDGMENT))
                   for r in await self.splitter.read(spec)]  # fmt: skip
        return [(key, value) for key, value in decoded if value["kind"] == "ACK_999"]

    async def wait_acks(self, count: int) -> list[tuple[bytes | None, dict[str, Any]]]:
        found: list[tuple[bytes | None, dict[str, Any]]] = []

        async def enough() -> bool:
            nonlocal found
            found = await self.acks()
            return len(found) >= count

        await until(enough, f"{count} acknowledgments")
        return found

    async def wait_consumed(self, admin: Any) -> None:
        """Until the acknowledger's committed offsets pass the last record of both inputs
        (offsets, not end offsets: transaction markers follow the last record)."""
        topics = self.splitter.topics
        ends: dict[TopicPartition, int] = {}
        for spec in (topics.group_manifests, topics.set_results):
            for record in await self.splitter.read(spec):
                tp = TopicPartition(record.topic, record.partition)
                ends[tp] = max(ends.get(tp, 0), record.offset + 1)

        async def consumed() -> bool:
            offsets = await admin.list_consumer_group_offsets(self.group_id)
            return all(tp in offsets and offsets[tp].offset >= end for tp, end in ends.items())

        await until(consumed, "the acknowledger consumes every manifest and result")
