"""A splitter test bench on the real broker: topics under a unique prefix, a staging folder,
FileStaged publishing, the service in-process or as a subprocess, and read-back helpers."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from edimesh.mesh.codec import decode, encode
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import MAX_MESSAGE_BYTES, MeshTopics, TopicSpec
from edimesh.splitter.observe import TelemetryParts
from edimesh.splitter.service import SplitterService
from edimesh.splitter.settings import SplitterSettings
from tests.integration.kafka_helpers import partitions_of, read_all, started, until
from tests.integration.service_process import prefixed_env, running, settings_from_env, spawn

PREFIX = "EDIMESH_SPLITTER_"


@dataclass
class SplitterBench:
    bootstrap: str
    topics: MeshTopics
    staging: Path
    group_id: str
    prefix: str
    logs: Path
    _producer: Any = None
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    # ------------------------------------------------------------------ settings

    def env(self, **overrides: object) -> dict[str, str]:
        """EDIMESH_SPLITTER_* variables for this bench, plus `overrides` (lower-case names)."""
        values: dict[str, object] = {
            "bootstrap": self.bootstrap,
            "group_id": self.group_id,
            "topic_prefix": self.prefix,
            "staging_root": self.staging,
            "session_timeout_ms": 6000,
            "heartbeat_interval_ms": 500,
            "shutdown_timeout_s": 10,
            "retry_backoff_s": 0.2,
            **overrides,
        }
        return prefixed_env(PREFIX, values)

    def settings(self, **overrides: object) -> SplitterSettings:
        return settings_from_env(SplitterSettings, PREFIX, self.env(**overrides))

    # ------------------------------------------------------------------ input

    def write_staged(self, data: bytes) -> tuple[str, Path]:
        file_id = hashlib.sha256(data).hexdigest()
        path = self.staging / file_id
        path.write_bytes(data)
        return file_id, path

    async def publish(self, record: Mapping[str, Any], key: bytes | None = None,
                      headers: list[tuple[str, bytes]] | None = None,
                      raw_value: bytes | None = None, keyless: bool = False) -> None:  # fmt: skip
        if self._producer is None:
            self._producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap,
                                              enable_idempotence=True, acks="all")  # fmt: skip
            await self._producer.start()
        if raw_value is None:
            value, schema_headers = encode(MessageType.FILE_STAGED, record)
        else:
            value, schema_headers = raw_value, []
        await self._producer.send_and_wait(
            self.topics.files_staged.name, value,
            key=None if keyless else key if key is not None else record["file_id"].encode(),
            headers=headers if headers is not None else schema_headers,
        )  # fmt: skip

    def file_staged(self, file_id: str, path: Path, size: int | None = None,
                    uri: str | None = None, partner: str = "acme") -> dict[str, Any]:  # fmt: skip
        return {
            "file_id": file_id,
            "size_bytes": path.stat().st_size if size is None else size,
            "partner": partner,
            "source_path_token": "k1:path:0123456789abcdef",
            "staging_uri": uri or path.as_uri(),
            "received_at": datetime(2024, 3, 15, 10, 0, tzinfo=UTC),
        }

    async def stage(self, data: bytes, partner: str = "acme") -> str:
        """Write `data` to staging and publish its FileStaged; returns the file id."""
        file_id, path = self.write_staged(data)
        await self.publish(self.file_staged(file_id, path, partner=partner))
        return file_id

    # ------------------------------------------------------------------ running

    @contextlib.asynccontextmanager
    async def running(
        self, telemetry: TelemetryParts | None = None, **overrides: object
    ) -> AsyncIterator[SplitterService]:
        """The service in this process until the block ends (graceful stop)."""
        async with running(SplitterService(self.settings(**overrides), telemetry)) as service:
            yield service

    def spawn(self, name: str = "a", **overrides: object) -> subprocess.Popen[bytes]:
        """`python -m edimesh.splitter` as a real process; its stderr goes to a log file."""
        level = os.environ.get("EDIMESH_TEST_SPLITTER_LOG_LEVEL", "WARNING")
        return spawn("edimesh.splitter", self.env(**overrides),
                     self.logs / f"splitter-{name}.log", self.procs, log_level=level)  # fmt: skip

    def kill_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGCONT)
                proc.kill()
            proc.wait()

    # ------------------------------------------------------------------ reading back

    async def read(self, spec: TopicSpec, isolation_level: str = "read_committed") -> list[Any]:
        return await read_all(self.bootstrap, spec.name, spec.partitions,
                              isolation_level=isolation_level)  # fmt: skip

    async def decoded(self, spec: TopicSpec) -> list[dict[str, Any]]:
        assert spec.value_schema is not None
        return [decode(r.value, r.headers, expected=spec.value_schema)
                for r in await self.read(spec)]  # fmt: skip

    async def committed(self, admin: AIOKafkaAdminClient) -> dict[TopicPartition, int]:
        offsets = await admin.list_consumer_group_offsets(self.group_id)
        return {tp: meta.offset for tp, meta in offsets.items()}

    async def wait_consumed(self, admin: AIOKafkaAdminClient, what: str = "") -> None:
        """Until the group's committed offsets reach the end of the FileStaged topic."""
        spec = self.topics.files_staged
        tps = partitions_of(spec.name, spec.partitions)

        async def done() -> bool:
            ends = await _end_offsets(self.bootstrap, tps)
            committed = await self.committed(admin)
            return all(committed.get(tp, 0) >= end for tp, end in ends.items())

        await until(done, what or "every FileStaged consumed and committed")

    async def close(self) -> None:
        self.kill_all()
        if self._producer is not None:
            await self._producer.stop()


async def _end_offsets(bootstrap: str, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed")
    async with started(consumer):
        return dict(await consumer.end_offsets(tps))


def key_counts(records: list[Any]) -> Counter[bytes]:
    return Counter(r.key for r in records)


def max_message_bytes() -> int:
    return MAX_MESSAGE_BYTES
