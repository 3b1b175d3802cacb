"""Transfer throughput against OpenSSH's own sftp client, and the transfer's peak memory.

Starts the hardened local sshd (deploy/sftp/sshd_config; needs root and openssh-server), puts a
small and a large random file in a partner's inbound directory, then, alternating, fetches the
large file with `sftp` and with the transfer service's download path (the same PartnerLink,
pipelined reads, sha256 while receiving, staging part file, fsync and atomic rename that the
service runs). Both use curve25519-sha256 and aes256-gcm@openssh.com and include connection
set-up. Each transfer-side fetch runs in its own process, so its VmHWM is its own peak RSS.

    sudo .venv/bin/python benchmarks/transfer_vs_sftp.py [--size-mib 1024] [--rounds 3]

`--split` measures where the client's CPU goes instead: the same download path with the bytes
dropped on arrival (SSH + SFTP receive only), then written to the part file without hashing,
then the whole service path (written and hashed), each in its own process, next to `sftp`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from edimesh.localsftp import LocalSshd, generate_key
from edimesh.transfer.allocator import tune_allocator
from edimesh.transfer.completeness import RemoteEntry
from edimesh.transfer.link import PartnerLink
from edimesh.transfer.partners import Partner
from edimesh.transfer.remote import SftpSource
from edimesh.transfer.service import _backoff, _link_options, _read_plan
from edimesh.transfer.settings import TransferSettings
from edimesh.transfer.staging import StagingArea, part_key

CIPHER = "aes256-gcm@openssh.com"
KEX = "curve25519-sha256"
CHUNK = 8 * 1024 * 1024


def vm_hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return -1


class SplitPart:
    """A `Part` for --split: the download path without the service's part file. Counts the
    bytes, and writes them to `fd` (no sha256) when given one."""

    def __init__(self, fd: int | None):
        self.written = 0
        self.resumed_from = 0
        self._fd = fd

    def write(self, data: bytes) -> None:
        if self._fd is not None:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
        self.written += len(data)

    def hexdigest(self) -> str:
        return ""

    def seal(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)

    def promote(self, final_name: str) -> Path:
        raise NotImplementedError

    def keep(self) -> bool:
        return False

    def discard(self) -> None:
        pass


async def fetch_split(
    partner: Partner, name: str, size: int, target: Path, variant: str
) -> dict[str, object]:
    """The download path into a SplitPart: `receive` drops the bytes, `write` writes them to
    `target`."""
    defaults = TransferSettings(partners_file=Path("unused"))
    link = PartnerLink(partner, _link_options(defaults), _backoff(defaults))
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC) if variant == "write" else None
    began = time.perf_counter()
    cpu_began = time.process_time()
    try:
        async with link:
            part = SplitPart(fd)
            await SftpSource(partner, link, _read_plan(defaults)).fetch(
                RemoteEntry(name, size, 0), part
            )
            part.seal()
    finally:
        if fd is not None:
            os.close(fd)
    seconds = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    assert part.written == size, "split run: size differs"
    return {"seconds": seconds, "cpu_seconds": cpu, "fsync_seconds": 0.0, "sha256": "",
            "vm_hwm_kib": vm_hwm_kib()}  # fmt: skip


async def fetch_once(partner: Partner, name: str, size: int, staging: Path) -> dict[str, object]:
    """One fetch through the service's code path: connect, download, seal, promote."""
    defaults = TransferSettings(partners_file=Path("unused"))
    link = PartnerLink(partner, _link_options(defaults), _backoff(defaults))
    plan = _read_plan(defaults)
    area = StagingArea(staging, checkpoint_bytes=defaults.resume_checkpoint_bytes)
    key = part_key(partner.name, f"{partner.inbound_dir}/{name}", size, 0)
    began = time.perf_counter()
    cpu_began = time.process_time()
    async with link:
        source = SftpSource(partner, link, plan)
        with area.room_for(partner.name, size), area.open_part(partner.name, key) as part:
            file_id = await source.fetch(RemoteEntry(name, size, 0), part)
            received = time.perf_counter()
            part.seal()
            staged = part.promote(file_id)
    seconds = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    staged.unlink()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "fsync_seconds": seconds - (received - began),
        "sha256": file_id,
        "vm_hwm_kib": vm_hwm_kib(),
    }


def child(args: argparse.Namespace) -> None:
    if not os.environ.get("EDIMESH_BENCH_DEFAULT_MALLOC"):
        tune_allocator()  # as serve() does
    partner = Partner.model_validate_json(args.partner_json)
    staging = Path(args.staging)
    if args.variant == "service":
        result = asyncio.run(fetch_once(partner, args.name, args.size, staging))
    else:
        staging.mkdir(parents=True, exist_ok=True)
        target = staging / "split.out"
        result = asyncio.run(fetch_split(partner, args.name, args.size, target, args.variant))
        target.unlink(missing_ok=True)
    print(json.dumps(result))


def run_child(
    partner: Partner, name: str, size: int, staging: Path, variant: str = "service"
) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", "--partner-json", partner.model_dump_json(),
         "--name", name, "--size", str(size), "--staging", str(staging), "--variant", variant],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_sftp(partner: Partner, name: str, target: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the sftp client)."""
    target.unlink(missing_ok=True)
    cpu_began = children_cpu()
    began = time.perf_counter()
    subprocess.run(
        ["sftp", "-q", "-b", "-", "-i", str(partner.private_key), "-P", str(partner.port),
         "-o", f"UserKnownHostsFile={partner.known_hosts}", "-o", "BatchMode=yes",
         "-o", f"KexAlgorithms={KEX}", "-c", CIPHER, f"{partner.user}@{partner.host}"],
        input=f"get /inbound/{name} {target}\n", text=True, check=True, capture_output=True,
    )  # fmt: skip
    seconds = time.perf_counter() - began
    cpu = children_cpu() - cpu_began
    target.unlink()
    return seconds, cpu


SPLIT_VARIANTS = ("receive", "write", "service")


def split(partner: Partner, size: int, staging: Path, work: Path, rounds: int) -> None:
    """Client CPU per GiB of each SPLIT_VARIANTS run and of sftp, alternating; medians."""
    gib = size / 2**30
    cpu: dict[str, list[float]] = {who: [] for who in (*SPLIT_VARIANTS, "sftp")}
    for round_ in range(rounds):
        order = list(cpu) if round_ % 2 == 0 else list(cpu)[::-1]
        for who in order:
            if who == "sftp":
                cpu[who].append(run_sftp(partner, "big.bin", work / "sftp.out")[1] / gib)
            else:
                run = run_child(partner, "big.bin", size, staging, who)
                cpu[who].append(float(str(run["cpu_seconds"])) / gib)
        print(f"round {round_ + 1}: " + ", ".join(f"{w} {c[-1]:.2f}" for w, c in cpu.items()))
    med = {who: statistics.median(values) for who, values in cpu.items()}
    print(f"client CPU per GiB, medians of {rounds} rounds ({size // 2**20} MiB):")
    print(f"  SSH + SFTP receive (asyncssh, bytes dropped)  {med['receive']:.2f} s")
    print(f"  + write to the part file                      {med['write'] - med['receive']:+.2f} s")
    print(f"  + sha256 and the service's part file          {med['service'] - med['write']:+.2f} s")
    print(f"  = the service's download path                 {med['service']:.2f} s")
    print(f"  OpenSSH sftp (receive and write, no hash)     {med['sftp']:.2f} s")


def write_random(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(CHUNK, left))
            digest.update(block)
            out.write(block)
            left -= len(block)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--small-kib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--split", action="store_true", help="split the client CPU by component")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--variant", default="service", help=argparse.SUPPRESS)
    parser.add_argument("--partner-json", help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--staging", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    tag = uuid.uuid4().hex[:6]
    base = Path("/var/lib/edimesh-bench") / tag
    base.parent.mkdir(mode=0o755, exist_ok=True)
    base.parent.chmod(0o755)
    with (
        LocalSshd(base / "sshd", group=f"edb{tag}") as sshd,
        tempfile.TemporaryDirectory(
            prefix="edimesh-bench-", dir=os.environ.get("EDIMESH_BENCH_DIR")
        ) as tmp,
    ):
        work = Path(tmp)
        key = generate_key(work / "client")
        account = sshd.add_account(f"edb{tag}p", [key.public_key])
        known_hosts = work / "known_hosts"
        known_hosts.write_text(sshd.known_hosts_line() + "\n")
        partner = Partner(
            name="bench", host="127.0.0.1", port=sshd.port, user=account.user,
            private_key=key.private, known_hosts=known_hosts, inbound_dir="/inbound",
            delete_after_success=True,
        )  # fmt: skip
        big, small = args.size_mib * 2**20, args.small_kib * 2**10
        big_sha = write_random(account.inbound / "big.bin", big)
        small_sha = write_random(account.inbound / "small.bin", small)
        staging = work / "staging"

        if args.split:
            split(partner, big, staging, work, args.rounds)
            shutil.rmtree(base, ignore_errors=True)
            return
        small_run = run_child(partner, "small.bin", small, staging)
        assert small_run["sha256"] == small_sha, "small file: sha256 differs"
        ours: list[float] = []
        ours_before_fsync: list[float] = []
        theirs: list[float] = []
        our_cpu: list[float] = []
        their_cpu: list[float] = []
        peaks: list[int] = []
        for round_ in range(args.rounds):
            order = ("sftp", "edimesh") if round_ % 2 == 0 else ("edimesh", "sftp")
            for who in order:
                if who == "sftp":
                    seconds, cpu = run_sftp(partner, "big.bin", work / "sftp.out")
                    theirs.append(big / 1e6 / seconds)
                    their_cpu.append(cpu)
                    continue
                run = run_child(partner, "big.bin", big, staging)
                assert run["sha256"] == big_sha, "large file: sha256 differs"
                seconds, fsync = float(str(run["seconds"])), float(str(run["fsync_seconds"]))
                ours.append(big / 1e6 / seconds)
                our_cpu.append(float(str(run["cpu_seconds"])))
                ours_before_fsync.append(big / 1e6 / (seconds - fsync))
                peaks.append(int(str(run["vm_hwm_kib"])))
            print(
                f"round {round_ + 1}: sftp {theirs[-1]:.0f} MB/s, edimesh {ours[-1]:.0f} MB/s, "
                f"ratio {ours[-1] / theirs[-1]:.2f}"
            )

    shutil.rmtree(base, ignore_errors=True)
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"file: {args.size_mib} MiB, {args.rounds} rounds, {CIPHER}, medians:")
    print(f"  OpenSSH sftp      {statistics.median(theirs):7.0f} MB/s")
    print(f"  edimesh transfer  {statistics.median(ours):7.0f} MB/s  (sha256 + fsync included)")
    print(f"  ratio             {ratio:7.2f}  (target >= 0.80)")
    ratios = [mine / other for mine, other in zip(ours, theirs, strict=True)]
    print(f"  per-round ratios  {' '.join(f'{r:.2f}' for r in ratios)}  "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f})")  # fmt: skip
    unsynced = statistics.median(ours_before_fsync)
    print(f"  edimesh, without the final fsync (sftp does none): {unsynced:.0f} MB/s, "
          f"ratio {unsynced / statistics.median(theirs):.2f}")  # fmt: skip
    # Client CPU per GiB: what a contended machine (the wall-clock ratio's noise) cannot hide.
    gib = big / 2**30
    print(f"  client CPU per GiB: sftp {statistics.median(their_cpu) / gib:.2f} s, "
          f"edimesh {statistics.median(our_cpu) / gib:.2f} s (same sshd for both)")  # fmt: skip
    print(f"  peak RSS (VmHWM): {int(str(small_run['vm_hwm_kib'])) / 1024:.1f} MiB on "
          f"{args.small_kib} KiB, {max(peaks) / 1024:.1f} MiB on {args.size_mib} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
