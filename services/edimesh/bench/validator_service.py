"""The validator service against the pure validation rate, on the same sets, in one run.

- pure: `edimesh.bench.validate.measure` (parse + models + SNIP 1-5 in one loop, one core) on
  a synthetic 837P; also with the normalized JSON, which the service writes for valid sets.
- service: the same file's sets as TransactionSet messages (built by the splitter's pure
  handler, untimed) on a fresh `edi.transactions`; `python -m edimesh.validator` runs as its own
  process with N worker processes. A warm-up batch is committed first (worker processes start
  and load the guides on their first set, as in a running service); then the clock runs from
  producing the first set to the group's committed offsets passing the last one.

Targets (validator issue): service >= 0.7 x pure with one worker process; about 1.8 x that
with two worker processes on a 2-core machine.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import TopicPartition

from edimesh.bench import clients
from edimesh.bench.services import (
    SETTLE_S,
    Peak,
    ServiceProcess,
    service_env,
    started_admin,
    wait_committed,
)
from edimesh.bench.validate import ValidateMeasurement
from edimesh.bench.validate import measure as measure_pure
from edimesh.mesh.admin import ensure_topics
from edimesh.mesh.codec import Encoded, encode
from edimesh.mesh.topics import MAX_MESSAGE_BYTES, MeshTopics, mesh_topics
from edimesh.splitter.handler import FileSplit
from edimesh.splitter.ledger import InterchangeLedger
from edimesh.splitter.outputs import Destination
from edimesh.splitter.records import FileContext
from edimesh.x12.stream import X12Stream
from edimesh.x12.synth import SynthOptions, generate_837p

OVERHEAD_TARGET = 0.7  # service / pure, one worker process
SCALING_TARGET = 1.8  # two worker processes / one
SCALING_FLOOR = 1.6  # "about 1.8": counted as met from here
WARM_UP_SETS = 24


@dataclass(frozen=True)
class InputSets:
    """Encoded TransactionSet messages (key, value, headers) and their claim count."""

    messages: tuple[tuple[bytes, Encoded], ...]
    claims: int
    file_bytes: int


@dataclass(frozen=True)
class ServiceRun:
    workers: int
    claims: int
    sets: int
    seconds: float
    peak: Peak
    main_cpu_s: float  # the service process: Kafka, Avro, dispatch
    workers_cpu_s: float  # the validation processes

    @property
    def claims_per_s(self) -> float:
        return self.claims / self.seconds

    @property
    def claims_per_cpu_s(self) -> float | None:
        """Claims per CPU second of the service and its workers: less sensitive than wall
        time to other load on a shared machine."""
        cpu = self.main_cpu_s + self.workers_cpu_s
        return self.claims / cpu if cpu > 0 else None


@dataclass(frozen=True)
class ValidatorComparison:
    pure: ValidateMeasurement
    pure_json: ValidateMeasurement | None
    runs: tuple[ServiceRun, ...]  # one per worker-process count, in the order asked


def build_inputs(claims: int, claims_per_set: int, seed: int = 0) -> InputSets:
    """The synthetic file's sets as the splitter would write them (same generator as pure)."""
    data = generate_837p(SynthOptions(claims=claims, claims_per_set=claims_per_set, seed=seed))
    now = datetime.now(UTC)
    context = FileContext(file_id="bench" + uuid.uuid4().hex, partner="bench",
                          staging_uri="file:///nonexistent/bench.x12", size_bytes=len(data),
                          received_at=now, started_at=now)  # fmt: skip
    split = FileSplit(context, InterchangeLedger())
    stream = X12Stream()
    out = [
        (o.key.encode(), encode(o.message_type, o.record))
        for event in [*stream.feed(data), *stream.finish()]
        for o in split.feed(event)
        if o.destination is Destination.TRANSACTIONS
    ]
    return InputSets(tuple(out), claims, len(data))


async def produce(
    bootstrap: str, topic: str, messages: Sequence[tuple[bytes, Encoded]]
) -> dict[TopicPartition, int]:
    """Send every message; returns the offset after the last one written to each partition."""
    producer = clients.producer(
        bootstrap, enable_idempotence=True, acks="all",
        compression_type="zstd", max_request_size=MAX_MESSAGE_BYTES,
        max_batch_size=512 * 1024, linger_ms=5,
    )  # fmt: skip
    await producer.start()
    ends: dict[TopicPartition, int] = {}
    try:
        futures = [
            await producer.send(topic, enc.value, key=key, headers=list(enc.headers))
            for key, enc in messages
        ]
        for meta in await asyncio.gather(*futures):
            tp = TopicPartition(meta.topic, meta.partition)
            ends[tp] = max(ends.get(tp, 0), meta.offset + 1)
    finally:
        await producer.stop()
    return ends


def validator_env(bootstrap: str, group: str, topics_prefix: str, staging: Path,
                  workers: int) -> dict[str, str]:  # fmt: skip
    return service_env({
        "EDIMESH_VALIDATOR_BOOTSTRAP": bootstrap,
        "EDIMESH_VALIDATOR_GROUP_ID": group,
        "EDIMESH_VALIDATOR_TOPIC_PREFIX": topics_prefix,
        "EDIMESH_VALIDATOR_STAGING_ROOT": str(staging),
        "EDIMESH_VALIDATOR_WORKER_PROCESSES": str(workers),
    })  # fmt: skip


async def fresh_topics(bootstrap: str, kind: str) -> tuple[str, MeshTopics]:
    prefix = f"bench{kind}{uuid.uuid4().hex[:8]}."
    topics = mesh_topics(prefix)
    await ensure_topics(bootstrap, topics.all())
    await asyncio.sleep(SETTLE_S)
    return prefix, topics


def merged(
    a: Mapping[TopicPartition, int], b: Mapping[TopicPartition, int]
) -> dict[TopicPartition, int]:
    out = dict(a)
    for tp, end in b.items():
        out[tp] = max(out.get(tp, 0), end)
    return out


async def run_service(bootstrap: str, inputs: InputSets, workers: int, workdir: Path) -> ServiceRun:
    """One validator process with `workers` worker processes over `inputs`."""
    prefix, topics = await fresh_topics(bootstrap, "val")
    group = f"bench-validator-{prefix.rstrip('.')}"
    env = validator_env(bootstrap, group, prefix, workdir, workers)
    topic = topics.transactions.name
    async with ServiceProcess("validator", env, workdir, prefix.rstrip(".")) as svc, \
            started_admin(bootstrap) as admin:  # fmt: skip
        await svc.ready()
        warm = await produce(bootstrap, topic, inputs.messages[:WARM_UP_SETS])
        await wait_committed(admin, group, warm, svc)
        main_before, workers_before = svc.cpu_parts()
        began = time.perf_counter()
        ends = await produce(bootstrap, topic, inputs.messages)
        await wait_committed(admin, group, merged(warm, ends), svc)
        seconds = time.perf_counter() - began
        peak, (main_cpu, workers_cpu) = svc.peak_rss(), svc.cpu_parts()
    return ServiceRun(workers, inputs.claims, len(inputs.messages), seconds, peak,
                      main_cpu - main_before, workers_cpu - workers_before)  # fmt: skip


def fastest(runs: Sequence[ServiceRun]) -> tuple[ServiceRun, ...]:
    """The fastest run per worker-process count, in the order the counts first appear."""
    best: dict[int, ServiceRun] = {}
    for run in runs:
        if run.workers not in best or run.seconds < best[run.workers].seconds:
            best[run.workers] = run
    return tuple(best.values())


def schedule(workers: Sequence[int], rounds: int) -> list[int]:
    """Worker counts in alternating order (1, 2, 2, 1, ...), so that a drift in other load
    on the machine does not favour one count."""
    order: list[int] = []
    for i in range(rounds):
        order += list(workers) if i % 2 == 0 else list(reversed(workers))
    return order


async def compare(
    bootstrap: str, claims: int, claims_per_set: int, workdir: Path, *,
    workers: Sequence[int] = (1, 2), pure_runs: int = 3, rounds: int = 1,
) -> ValidatorComparison:  # fmt: skip
    """Pure rate (and with JSON) first, then the service per worker-process count, `rounds`
    times in alternating order; the fastest run of each count is kept."""
    pure = await asyncio.to_thread(measure_pure, claims, claims_per_set, pure_runs)
    pure_json = await asyncio.to_thread(measure_pure, claims, claims_per_set, pure_runs, True)
    inputs = await asyncio.to_thread(build_inputs, claims, claims_per_set)
    runs = [await run_service(bootstrap, inputs, n, workdir) for n in schedule(workers, rounds)]
    return ValidatorComparison(pure, pure_json, fastest(runs))
