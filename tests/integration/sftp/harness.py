"""Helpers for the transfer integration tests: partner drop boxes, service runs, events."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Tracer
from pydantic import SecretStr

from edimesh.localsftp import Account
from edimesh.mesh.codec import decode
from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import BASE, mesh_topics
from edimesh.telemetry import Masker
from edimesh.transfer.partners import Partner
from edimesh.transfer.service import Adapters, TransferService
from edimesh.transfer.settings import TransferConfig, TransferSettings
from tests.integration.kafka_helpers import WAIT_S, read_all, until
from tests.integration.sftp.proxy import FaultyProxy

MASKING_KEY = SecretStr("integration-test-masking-key-0123456789")
MASKER = Masker("k1", MASKING_KEY)


@dataclass(frozen=True)
class PartnerBox:
    """A partner account on the local sshd, and how to reach it."""

    account: Account
    port: int
    private_key: Path
    known_hosts: Path

    def partner(self, name: str, **fields: Any) -> Partner:
        values: dict[str, Any] = {
            "name": name,
            "host": "127.0.0.1",
            "port": self.port,
            "user": self.account.user,
            "private_key": self.private_key,
            "known_hosts": self.known_hosts,
            "inbound_dir": "/inbound",
            "archive_dir": "/archive",
            "poll_interval_s": 0.2,
        }
        values.update(fields)
        if values.get("delete_after_success"):
            values["archive_dir"] = None
        return Partner.model_validate(values)

    def via(self, port: int, directory: Path, name: str, **fields: Any) -> Partner:
        """The partner reached through a proxy on `port` (same host key, another port)."""
        _, key_type, key = self.known_hosts.read_text(encoding="ascii").split()[:3]
        known_hosts = directory / f"known_hosts-{port}"
        known_hosts.write_text(f"[127.0.0.1]:{port} {key_type} {key}\n", encoding="ascii")
        return self.partner(name, port=port, known_hosts=known_hosts, **fields)

    def drop(self, name: str, data: bytes) -> str:
        """Put a file in the inbound directory; its sha256 hex."""
        (self.account.inbound / name).write_bytes(data)
        return hashlib.sha256(data).hexdigest()

    def inbound(self) -> list[str]:
        return sorted(path.name for path in self.account.inbound.iterdir())

    def archived(self) -> list[str]:
        return sorted(path.name for path in self.account.archive.iterdir())


@dataclass(frozen=True)
class Mesh:
    """Unique topic names (and transactional id) for one test."""

    bootstrap: str
    prefix: str
    transactional_id: str

    @classmethod
    def fresh(cls, bootstrap: str) -> Mesh:
        tag = uuid.uuid4().hex[:10]
        return cls(bootstrap, f"t{tag}.", f"edimesh-transfer-{tag}")

    def config(self, staging: Path, *partners: Partner, **settings: Any) -> TransferConfig:
        values: dict[str, Any] = {
            "partners_file": staging / "unused-partners.toml",
            "staging_dir": staging,
            "bootstrap": self.bootstrap,
            "topic_prefix": self.prefix,
            "transactional_id": self.transactional_id,
            "keepalive_interval_s": 1.0,
            "keepalive_count_max": 2,
            "connect_timeout_s": 10.0,
            "retry_attempts": 5,
            "backoff_initial_s": 0.05,
            "backoff_max_s": 0.5,
            "drain_timeout_s": 10.0,
        }
        values.update(settings)
        return TransferConfig(TransferSettings(**values), tuple(partners))

    async def events(self) -> list[dict[str, Any]]:
        return await self._read(mesh_topics(self.prefix).files_staged.name)

    async def ledger(self) -> list[dict[str, Any]]:
        return await self._read(mesh_topics(self.prefix).staged_ledger.name)

    async def records(self) -> list[Any]:
        """The raw event records (headers included)."""
        topic = mesh_topics(self.prefix).files_staged.name
        return await read_all(self.bootstrap, topic, BASE.files_staged.partitions)

    async def _read(self, topic: str) -> list[dict[str, Any]]:
        partitions = BASE.files_staged.partitions
        records = await read_all(self.bootstrap, topic, partitions)
        out = []
        for record in records:
            value = decode(record.value, record.headers, expected=MessageType.FILE_STAGED)
            assert record.key == value["file_id"].encode()
            out.append(value)
        return out


@asynccontextmanager
async def running(
    config: TransferConfig, adapters: Adapters | None = None, tracer: Tracer | None = None
) -> AsyncIterator[TransferService]:
    """The service, running in a task, until the block ends (then stopped gracefully)."""
    service = TransferService(
        config, masker=MASKER, tracer=tracer or trace.get_tracer("tests"), adapters=adapters
    )
    stop = asyncio.Event()
    task = asyncio.create_task(service.run(stop))
    ready = asyncio.create_task(service.ready.wait())
    try:
        await asyncio.wait({task, ready}, timeout=WAIT_S, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # raises what stopped it
        assert service.ready.is_set(), "the service did not become ready"
        # What /readyz reports (partners_active may already have gone: a partner can halt).
        assert not {"producer_started", "ledger_loaded"} & set(service.readiness.unmet())
        yield service
    finally:
        ready.cancel()
        stop.set()
        async with asyncio.timeout(WAIT_S):
            await task


async def wait_for(check: Callable[[], bool], what: str) -> None:
    """Until `check()` holds (bounded; never an assertion about speed)."""

    async def holds() -> bool:
        return check()

    await until(holds, what)


async def wait_for_async(check: Callable[[], Awaitable[bool]], what: str) -> None:
    await until(check, what)


def part_files(staging: Path) -> list[Path]:
    """Part files and their crash-resume checkpoints."""
    return sorted([*staging.rglob("*.part"), *staging.rglob("*.ckpt")])


def checkpointed(staging: Path) -> int:
    """The offset the only checkpoint in `staging` records (0 if none, or not written yet)."""
    found = sorted(staging.rglob("*.ckpt"))
    if len(found) != 1:
        return 0
    try:
        offset = json.loads(found[0].read_text(encoding="ascii"))["offset"]
    except (OSError, ValueError, KeyError):
        return 0
    return int(offset)


async def resume_counted(mesh: Mesh, box: PartnerBox, staging: Path, tmp_path: Path, *,
                         data: bytes, kept: int, **config: Any) -> None:
    """Restart the transfer through a byte-counting proxy: it must fetch only what the part
    lacks, stage the whole file under its sha256 once, and leave no part behind."""
    file_id = hashlib.sha256(data).hexdigest()
    async with FaultyProxy(box.port).serving() as proxy:
        settings = mesh.config(staging, box.via(proxy.port, tmp_path, "acme"), **config)
        async with running(settings) as service:
            await wait_for(lambda: box.inbound() == [], "the file archived")
        status = service.status["acme"]
    assert status.bytes_resumed == kept
    assert status.bytes_fetched == len(data) - kept
    # What crossed the wire: the rest of the file plus SSH and SFTP framing, not the whole file.
    assert len(data) - kept < proxy.bytes_down < len(data) - kept + 256 * 1024
    assert status.published == 1
    assert [e["file_id"] for e in await mesh.events()] == [file_id]
    staged = staging / "acme" / file_id
    assert hashlib.sha256(staged.read_bytes()).hexdigest() == file_id
    assert part_files(staging) == []
    assert box.archived() == ["big.x12"]


def partners_toml(box: PartnerBox, port: int, known_hosts: Path) -> str:
    """A partners file with one partner, "acme", reached on `port`."""
    return f"""
[[partners]]
name = "acme"
host = "127.0.0.1"
port = {port}
user = "{box.account.user}"
private_key = "{box.private_key}"
known_hosts = "{known_hosts}"
inbound_dir = "/inbound"
pattern = "*.x12"
archive_dir = "/archive"
poll_interval_s = 0.2
"""


def transfer_env(mesh: Mesh, staging: Path, partners_file: Path, **settings: str) -> dict[str, str]:
    """The environment of a real transfer process for `mesh`; `settings` are
    EDIMESH_TRANSFER_* values (`drain_timeout_s="0.5"`)."""
    return {
        **os.environ,
        "EDIMESH_BOOTSTRAP": mesh.bootstrap,
        "EDIMESH_TRANSFER_PARTNERS_FILE": str(partners_file),
        "EDIMESH_TRANSFER_STAGING_DIR": str(staging),
        "EDIMESH_TRANSFER_TOPIC_PREFIX": mesh.prefix,
        "EDIMESH_TRANSFER_TRANSACTIONAL_ID": mesh.transactional_id,
        "EDIMESH_MASKING_KEY": MASKING_KEY.get_secret_value(),
        "EDIMESH_ENV": "production",
        **{f"EDIMESH_TRANSFER_{name.upper()}": value for name, value in settings.items()},
    }


def edimesh_cli() -> str:
    """The `edimesh` console script of the interpreter running the tests."""
    return str(Path(sys.executable).parent / "edimesh")
