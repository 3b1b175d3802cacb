"""Which file contents were already staged and published: the dedupe ledger.

In memory it maps each sha256 digest to when it was staged; in Kafka it is the staged-files
topic (`compact,delete`), written in the same transaction as each FileStaged event. `read_ledger`
rebuilds it at start from that topic (read_committed), so a restart between publish and dispose
never publishes again.

The ledger is a dedupe window, not a history: with a retention set
(`EDIMESH_TRANSFER_LEDGER_RETENTION_DAYS`), content staged longer ago than that is forgotten: not
loaded (its records are skipped by their Kafka timestamp, before the key is even parsed), dropped
from memory while running, and deleted from the topic by the same `retention.ms`. A partner
resending the same bytes after the window gets them staged again as a new file; the splitter
still catches the interchanges as duplicates within its own, longer window.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from edimesh.errors import ConfigError, TransientError
from edimesh.mesh.admin import topic_partitions
from edimesh.mesh.kafka_security import client_options
from edimesh.mesh.topics import MAX_MESSAGE_BYTES

_log = logging.getLogger(__name__)
_FETCH_TIMEOUT_MS = 500


class StagedLedger:
    """Known file ids with their staging time, plus claims so two same-content files never
    both publish.

    Entries are held in staging order (`sort` restores it after a load that interleaved
    partitions), so `expire` stops at the first entry still inside the window.
    """

    __slots__ = ("_claims", "_clock", "_known", "retention_ms")

    def __init__(
        self, retention_ms: int | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.retention_ms = retention_ms  # None: keep every file id
        self._clock = clock
        # digest (32 bytes, not a 64-character string) -> staged at, epoch ms
        self._known: dict[bytes, int] = {}
        self._claims: dict[bytes, asyncio.Event] = {}

    def __len__(self) -> int:
        return len(self._known)

    def __contains__(self, file_id: str) -> bool:
        staged_ms = self._known.get(_digest(file_id))
        return staged_ms is not None and not self.outside_window(staged_ms)

    async def claim(self, file_id: str) -> bool:
        """True: the caller must publish `file_id` then `settle` it. False: already staged."""
        digest = _digest(file_id)
        while (pending := self._claims.get(digest)) is not None:
            await pending.wait()  # another file with this content is being published
        self.expire()  # cheap: stops at the first entry inside the window
        if digest in self._known:
            return False
        self._claims[digest] = asyncio.Event()
        return True

    def settle(self, file_id: str, *, published: bool) -> None:
        """End a claim; a failed publish leaves the content unknown for a later try."""
        digest = _digest(file_id)
        if published:
            self._add(digest, self._now_ms())
        event = self._claims.pop(digest, None)
        if event is not None:
            event.set()

    def record(self, file_id: str, staged_ms: int | None = None) -> None:
        """Remember content staged at `staged_ms` (default now); ignored if already outside
        the window. ValueError if `file_id` is not a hex sha256."""
        if staged_ms is None:
            staged_ms = self._now_ms()
        if not self.outside_window(staged_ms):
            self._add(_digest(file_id), staged_ms)

    def forget(self, file_id: str) -> None:
        self._known.pop(_digest(file_id), None)

    def outside_window(self, staged_ms: int) -> bool:
        """Whether content staged at `staged_ms` is too old to count as a duplicate now."""
        return self.retention_ms is not None and staged_ms < self._now_ms() - self.retention_ms

    def expire(self) -> int:
        """Forget the content staged before the window; how many entries were dropped."""
        if self.retention_ms is None or not self._known:
            return 0
        cutoff = self._now_ms() - self.retention_ms
        stale = []
        for digest, staged_ms in self._known.items():
            if staged_ms >= cutoff:
                break
            stale.append(digest)
        for digest in stale:
            del self._known[digest]
        return len(stale)

    def sort(self) -> None:
        """Put the entries back in staging order (after loading several partitions)."""
        self._known = dict(sorted(self._known.items(), key=lambda item: item[1]))

    def _add(self, digest: bytes, staged_ms: int) -> None:
        self._known.pop(digest, None)  # a re-staging moves the entry to the end
        self._known[digest] = staged_ms

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)


def _digest(file_id: str) -> bytes:
    return bytes.fromhex(file_id)


async def read_ledger(
    bootstrap: str, topic: str, into: StagedLedger | None = None, *, timeout_s: float = 120.0
) -> StagedLedger:
    """`into` (default: a ledger without a window) filled with every file id in the committed
    ledger topic that is inside its window; a tombstone forgets its key."""
    ledger = into if into is not None else StagedLedger()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
        client_id="edimesh-transfer-ledger",
        **client_options(),
    )
    skipped = 0
    try:
        async with asyncio.timeout(timeout_s):
            await consumer.start()
            partitions = await _partitions(bootstrap, topic)
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            pending = [tp for tp in partitions if ends[tp] > 0]
            while pending:
                batches = await consumer.getmany(*pending, timeout_ms=_FETCH_TIMEOUT_MS)
                for records in batches.values():
                    for record in records:
                        if not apply_record(ledger, record.key, record.value, record.timestamp):
                            skipped += 1
                pending = [tp for tp in pending if await consumer.position(tp) < ends[tp]]
    except TimeoutError:
        raise TransientError(f"ledger topic {topic}: not read within {timeout_s:g}s") from None
    except KafkaError as exc:
        raise TransientError(f"ledger topic {topic}: {type(exc).__name__}") from exc
    finally:
        await consumer.stop()
    ledger.sort()  # partitions were read interleaved; expire wants staging order
    _log.info("staged ledger loaded", extra={"entries": len(ledger), "skipped_old": skipped})
    return ledger


async def _partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    # The admin client sees every topic's layout; a consumer only knows the topics it tracks.
    count = (await topic_partitions(bootstrap)).get(topic)
    if not count:
        raise ConfigError(f"ledger topic {topic} does not exist: run `edimesh topics create`")
    return [TopicPartition(topic, p) for p in range(count)]


def apply_record(
    ledger: StagedLedger, key: bytes | None, value: bytes | None, timestamp_ms: int | None
) -> bool:
    """Apply one ledger record; False when it was skipped as older than the window.

    The Kafka timestamp is what the topic's retention goes by. A record without one (a
    pre-0.10 message format) counts as staged now: its content stays known."""
    staged_ms = timestamp_ms if timestamp_ms is not None and timestamp_ms > 0 else None
    if value is not None and staged_ms is not None and ledger.outside_window(staged_ms):
        return False  # not even parsed: on a long-lived topic most records may be this
    if key is None:
        return True
    try:
        file_id = key.decode("ascii")
        if value is None:
            ledger.forget(file_id)
        else:
            ledger.record(file_id, staged_ms)
    except ValueError:
        pass  # not ours: the ledger is keyed by hex sha256
    return True
