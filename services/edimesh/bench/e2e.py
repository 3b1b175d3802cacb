"""End to end, SFTP to validated: transfer, splitter and validator as processes, one large file.

The SFTP source is the embedded asyncssh server of `edimesh local` (in this process); without
it, the real OpenSSH sshd harness when running as root. The synthetic 837P is hard-linked (or
copied, then renamed) into the partner's inbox under its final name: that is when the clock
starts. It stops when the validator group's committed offsets pass the last set the splitter
committed for the file, so every set then has its committed output on validated or
quarantine. The broker runs on the same machine and is included.

Target (run-it issue): >= 15,000 claims/s on the 2-core machine, broker included.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from edimesh.bench import rss
from edimesh.bench.services import (
    BenchError,
    BrokerHandle,
    Peak,
    ServiceProcess,
    committed,
    data_ends,
    end_offsets,
    partitions,
    service_env,
    started_admin,
    wait_committed,
)
from edimesh.bench.validator_service import fresh_topics
from edimesh.mesh.topics import MeshTopics

CLAIMS_TARGET = 15_000
POLL_S = 0.05
TRANSFER_READY = b"ledger holds"
SSHD_ROOT = Path("/var/lib/edimesh-bench")


@dataclass(frozen=True)
class Partner:
    """Where the transfer finds the file, and where the benchmark drops it."""

    host: str
    port: int
    user: str
    private_key: Path
    known_hosts: Path
    inbound: Path  # the inbox folder on this machine
    kind: str  # "embedded asyncssh" or "OpenSSH sshd"

    def toml(self) -> str:
        return "\n".join((
            "[[partners]]", 'name = "bench"', f'host = "{self.host}"', f"port = {self.port}",
            f'user = "{self.user}"', f'private_key = "{self.private_key}"',
            f'known_hosts = "{self.known_hosts}"', 'inbound_dir = "/inbound"',
            'pattern = "*.x12"', "delete_after_success = true", "poll_interval_s = 0.2",
            'rename_convention = { temporary_suffix = ".part" }', "",
        ))  # fmt: skip


@dataclass(frozen=True)
class E2ERun:
    file_bytes: int
    claims: int
    sets: int
    seconds: float  # landing in the inbox -> last set committed by the validator
    staged_s: float  # landing -> FileStaged committed
    split_s: float  # landing -> every set committed on edi.transactions
    source: str
    peaks: dict[str, Peak]
    cpu_s: dict[str, float] = field(default_factory=dict)  # per process, during the run

    @property
    def claims_per_s(self) -> float:
        return self.claims / self.seconds

    @property
    def mb_s(self) -> float:
        return self.file_bytes / self.seconds / 1e6


def _embedded_available() -> bool:
    try:
        import edimesh.local.sftpd  # noqa: F401, PLC0415 - optional: another part of the mesh
    except ImportError:
        return False
    return True


def _sshd_available() -> bool:
    return os.geteuid() == 0 and Path("/usr/sbin/sshd").exists()


def choose_sftp(prefer: str) -> str | None:
    """ "embedded" or "sshd" (`prefer` when it can run here, else the other), or None."""
    order = ("sshd", "embedded") if prefer == "sshd" else ("embedded", "sshd")
    available = {"embedded": _embedded_available, "sshd": _sshd_available}
    return next((kind for kind in order if available[kind]()), None)


NO_SFTP = ("no SFTP source: the embedded server (edimesh.local.sftpd) is missing and the "
           "OpenSSH sshd harness needs root and openssh-server")  # fmt: skip


@contextlib.asynccontextmanager
async def sftp_source(workdir: Path, kind: str) -> AsyncIterator[Partner]:
    if kind == "sshd":
        async with _sshd_source() as partner:
            yield partner
        return
    from edimesh.local.sftpd import EmbeddedSftpServer  # noqa: PLC0415 - optional

    async with EmbeddedSftpServer(workdir / "sftp", workdir / "sftp-keys") as server:
        creds = server.credentials
        assert creds is not None, "set on entering"
        yield Partner(creds.host, creds.port, creds.user, creds.private_key, creds.known_hosts,
                      server.inbound, "embedded asyncssh")  # fmt: skip


@contextlib.asynccontextmanager
async def _sshd_source() -> AsyncIterator[Partner]:
    from edimesh.localsftp import LocalSshd, generate_key  # noqa: PLC0415 - root only

    tag = uuid.uuid4().hex[:6]
    base = SSHD_ROOT / tag  # sshd's chroot rules forbid /tmp
    await asyncio.to_thread(SSHD_ROOT.mkdir, mode=0o755, exist_ok=True)
    sshd = LocalSshd(base / "sshd", group=f"edb{tag}")
    await asyncio.to_thread(sshd.start)
    try:
        key = generate_key(base / "client")
        account = await asyncio.to_thread(sshd.add_account, f"edb{tag}p", [key.public_key])
        known_hosts = base / "known_hosts"
        known_hosts.write_text(sshd.known_hosts_line() + "\n", encoding="ascii")
        yield Partner("127.0.0.1", sshd.port, account.user, key.private, known_hosts,
                      account.inbound, "OpenSSH sshd")  # fmt: skip
    finally:
        await asyncio.to_thread(sshd.stop)
        shutil.rmtree(base, ignore_errors=True)


def land(path: Path, inbound: Path, name: str) -> None:
    """Put the file in the inbox under its final name at once (a link, else copy + rename)."""
    final = inbound / name
    try:
        os.link(path, final)
    except OSError:
        part = inbound / f"{name}.part"
        shutil.copyfile(path, part)
        part.rename(final)


def _envs(bootstrap: str, prefix: str, staging: Path, partners: Path, *, tag: str,
          validator_workers: int) -> dict[str, dict[str, str]]:  # fmt: skip
    return {
        "transfer": service_env({
            "EDIMESH_TRANSFER_PARTNERS_FILE": str(partners),
            "EDIMESH_TRANSFER_STAGING_DIR": str(staging),
            "EDIMESH_TRANSFER_BOOTSTRAP": bootstrap,
            "EDIMESH_TRANSFER_TOPIC_PREFIX": prefix,
            "EDIMESH_TRANSFER_TRANSACTIONAL_ID": f"bench-transfer-{tag}",
        }),
        "splitter": service_env({
            "EDIMESH_SPLITTER_BOOTSTRAP": bootstrap,
            "EDIMESH_SPLITTER_GROUP_ID": f"bench-splitter-{tag}",
            "EDIMESH_SPLITTER_TOPIC_PREFIX": prefix,
            "EDIMESH_SPLITTER_STAGING_ROOT": str(staging),
        }),
        "validator": service_env({
            "EDIMESH_VALIDATOR_BOOTSTRAP": bootstrap,
            "EDIMESH_VALIDATOR_GROUP_ID": f"bench-validator-{tag}",
            "EDIMESH_VALIDATOR_TOPIC_PREFIX": prefix,
            "EDIMESH_VALIDATOR_STAGING_ROOT": str(staging),
            "EDIMESH_VALIDATOR_WORKER_PROCESSES": str(validator_workers),
        }),
    }  # fmt: skip


@dataclass(frozen=True)
class _Mesh:
    bootstrap: str
    topics: MeshTopics
    tag: str
    procs: dict[str, ServiceProcess]
    admin: AIOKafkaAdminClient
    inbound: Path

    def group(self, service: str) -> str:
        return f"bench-{service}-{self.tag}"


async def _staged_events(mesh: _Mesh) -> int:
    spec = mesh.topics.files_staged
    return sum((await end_offsets(mesh.bootstrap, partitions(spec.name, spec.partitions))).values())


async def _through(mesh: _Mesh, path: Path, name: str) -> tuple[float, float, float]:
    """Land one file and wait until the validator committed its last set: (staged, split,
    validated) seconds from landing."""
    before = await _staged_events(mesh)
    began = time.perf_counter()
    await asyncio.to_thread(land, path, mesh.inbound, name)
    while await _staged_events(mesh) == before:  # committed FileStaged (LSO moved)
        mesh.procs["transfer"].check_alive("before staging the file")
        await asyncio.sleep(POLL_S)
    staged = time.perf_counter() - began
    spec = mesh.topics.files_staged
    targets = await data_ends(mesh.bootstrap, partitions(spec.name, spec.partitions))
    await wait_committed(mesh.admin, mesh.group("splitter"), targets, mesh.procs["splitter"])
    split = time.perf_counter() - began
    spec = mesh.topics.transactions
    targets = await data_ends(mesh.bootstrap, partitions(spec.name, spec.partitions))
    await wait_committed(mesh.admin, mesh.group("validator"), targets, mesh.procs["validator"])
    return staged, split, time.perf_counter() - began


def _cpu(procs: dict[str, ServiceProcess], kafka: BrokerHandle) -> dict[str, float]:
    out = {name: proc.cpu_seconds() for name, proc in procs.items()}
    if kafka.pid is not None:
        out["kafka broker"] = rss.cpu_seconds(kafka.pid)
    return out


async def run_e2e(kafka: BrokerHandle, path: Path, warm_up: Path, *, claims: int, sets: int,
                  workdir: Path, validator_workers: int = 2,
                  sftp: str = "embedded") -> E2ERun:  # fmt: skip
    """One file from the SFTP inbox to committed validator outputs."""
    bootstrap = kafka.bootstrap
    prefix, topics = await fresh_topics(bootstrap, "e2e")
    tag = prefix.rstrip(".")
    staging = workdir / f"staging-{tag}"
    staging.mkdir(mode=0o700)
    async with contextlib.AsyncExitStack() as stack:
        partner = await stack.enter_async_context(sftp_source(workdir, sftp))
        partners_file = workdir / f"partners-{tag}.toml"
        partners_file.write_text(partner.toml(), encoding="utf-8")
        envs = _envs(bootstrap, prefix, staging, partners_file, tag=tag,
                     validator_workers=validator_workers)  # fmt: skip
        procs = {
            name: await stack.enter_async_context(ServiceProcess(name, env, workdir, tag))
            for name, env in envs.items()
        }
        await procs["transfer"].ready(TRANSFER_READY)
        await procs["splitter"].ready()
        await procs["validator"].ready()
        admin = await stack.enter_async_context(started_admin(bootstrap))
        mesh = _Mesh(bootstrap, topics, tag, procs, admin, partner.inbound)
        # A small file first: the validator's worker processes start on their first set.
        await _through(mesh, warm_up, "warm-up.x12")
        cpu_before = _cpu(procs, kafka)
        staged, split, seconds = await _through(mesh, path, "bench.x12")
        cpu = {name: spent - cpu_before[name] for name, spent in _cpu(procs, kafka).items()}
        done = await committed(admin, mesh.group("validator"))
        if not any(done.values()):
            raise BenchError(f"the validator committed nothing; see its log in {workdir}")
        peaks = {name: proc.peak_rss() for name, proc in procs.items()}
        if kafka.pid is not None:
            peaks["kafka broker"] = Peak(rss.vm_hwm(kafka.pid))
    size = (await asyncio.to_thread(path.stat)).st_size
    return E2ERun(size, claims, sets, seconds, staged, split, partner.kind,
                  peaks, cpu)  # fmt: skip
