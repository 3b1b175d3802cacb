"""A validator test bench on the real broker, on top of the splitter's bench: the splitter
feeds `edi.transactions`, the validator runs in-process or as a subprocess, outputs read back."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer

from edimesh.mesh.codec import decode
from edimesh.mesh.schemas import MessageType
from edimesh.validator.service import ValidatorService
from edimesh.validator.settings import ValidatorSettings
from tests.integration.kafka_helpers import started, until
from tests.integration.service_process import prefixed_env, running, settings_from_env, spawn
from tests.integration.splitter.harness import SplitterBench

PREFIX = "EDIMESH_VALIDATOR_"
OUTPUT_TYPES = {"dlq": MessageType.DEAD_LETTER, "quarantine": MessageType.QUARANTINED,
                "validated": MessageType.VALIDATED_TRANSACTION}  # fmt: skip


@dataclass
class Routed:
    """One output record: where it went, its key, decoded value and headers."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: dict[str, Any]
    headers: dict[str, bytes]


@dataclass
class ValidatorBench:
    splitter: SplitterBench

    @property
    def group_id(self) -> str:
        return self.splitter.group_id.replace("splitter-", "validator-")

    def env(self, **overrides: object) -> dict[str, str]:
        s = self.splitter
        values: dict[str, object] = {
            "bootstrap": s.bootstrap, "group_id": self.group_id, "topic_prefix": s.prefix,
            "staging_root": s.staging, "session_timeout_ms": 6000, "heartbeat_interval_ms": 500,
            "shutdown_timeout_s": 10, "retry_backoff_s": 0.05, "worker_processes": 0,
            **overrides,
        }  # fmt: skip
        return prefixed_env(PREFIX, values)

    def settings(self, **overrides: object) -> ValidatorSettings:
        return settings_from_env(ValidatorSettings, PREFIX, self.env(**overrides))

    @contextlib.asynccontextmanager
    async def running(self, **overrides: object) -> AsyncIterator[ValidatorService]:
        async with running(ValidatorService(self.settings(**overrides))) as service:
            yield service

    def spawn(self, name: str = "a", **overrides: object) -> subprocess.Popen[bytes]:
        """`python -m edimesh.validator` as a real process; its output goes to a log file."""
        return spawn("edimesh.validator", self.env(**overrides),
                     self.splitter.logs / f"validator-{name}.log", self.splitter.procs)

    async def publish_raw(self, value: bytes, headers: list[tuple[str, bytes]],
                          key: bytes | None = None) -> None:  # fmt: skip
        s = self.splitter
        producer = AIOKafkaProducer(bootstrap_servers=s.bootstrap, enable_idempotence=True,
                                    acks="all")  # fmt: skip
        async with started(producer):
            await producer.send_and_wait(s.topics.transactions.name, value, key=key,
                                         headers=headers)  # fmt: skip

    async def outputs(self) -> list[Routed]:
        """Every committed output on validated, quarantine and dlq (read_committed)."""
        out: list[Routed] = []
        for name, message_type in OUTPUT_TYPES.items():
            spec = getattr(self.splitter.topics, name)
            out.extend(
                Routed(name, r.partition, r.offset, r.key,
                       decode(r.value, r.headers, expected=message_type), dict(r.headers))
                for r in await self.splitter.read(spec)
            )  # fmt: skip
        return out

    async def wait_outputs(self, count: int, besides: Sequence[Routed] = ()) -> list[Routed]:
        """Until `count` outputs exist that are not in `besides` (a snapshot); those."""
        seen = {(o.topic, o.partition, o.offset) for o in besides}
        found: list[Routed] = []

        async def enough() -> bool:
            nonlocal found
            found = [o for o in await self.outputs()
                     if (o.topic, o.partition, o.offset) not in seen]  # fmt: skip
            return len(found) >= count

        await until(enough, f"{count} outputs")
        return found


def corpus_files() -> list[Path]:
    corpus = Path(__file__).resolve().parents[2] / "data" / "corpus"  # in the repo: CI has it
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in
                   {".x12", ".edi", ".txt", ".837", ".835"})  # fmt: skip
    assert files, f"no corpus under {corpus}"
    return files
