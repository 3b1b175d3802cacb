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

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

from edimesh.errors import ConfigError, TransientError
from edimesh.mesh.admin import topic_partitions
from edimesh.mesh.retention_window import RetentionWindow
from edimesh.mesh.topic_reader import read_from_start, state_consumer

_log = logging.getLogger(__name__)


class StagedLedger(RetentionWindow[bytes, int]):
    """Known file ids (sha256 digests as 32 bytes, not 64-character strings) with their
    staging time in epoch ms, plus claims so two same-content files never both publish."""

    __slots__ = ("_claims",)

    def __init__(
        self, retention_ms: int | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(retention_ms, clock)
        self._claims: dict[bytes, asyncio.Event] = {}

    @staticmethod
    def _item_ms(item: tuple[bytes, int]) -> int:
        return item[1]

    def __contains__(self, file_id: str) -> bool:
        staged_ms = self._entries.get(_digest(file_id))
        return staged_ms is not None and not self.outside_window(staged_ms)

    async def claim(self, file_id: str) -> bool:
        """True: the caller must publish `file_id` then `settle` it. False: already staged."""
        digest = _digest(file_id)
        while (pending := self._claims.get(digest)) is not None:
            await pending.wait()  # another file with this content is being published
        self.expire()  # cheap: stops at the first entry inside the window
        if digest in self._entries:
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
        self._entries.pop(_digest(file_id), None)

    def _add(self, digest: bytes, staged_ms: int) -> None:
        self._entries.pop(digest, None)  # a re-staging moves the entry to the end
        self._entries[digest] = staged_ms


def _digest(file_id: str) -> bytes:
    return bytes.fromhex(file_id)


async def read_ledger(
    bootstrap: str, topic: str, into: StagedLedger | None = None, *, timeout_s: float = 120.0
) -> StagedLedger:
    """`into` (default: a ledger without a window) filled with every file id in the committed
    ledger topic that is inside its window; a tombstone forgets its key."""
    ledger = into if into is not None else StagedLedger()
    skipped = 0
    try:
        async with asyncio.timeout(timeout_s):
            async with state_consumer(bootstrap, client_id="edimesh-transfer-ledger") as consumer:
                partitions = await _partitions(bootstrap, topic)
                async for record in read_from_start(consumer, partitions):
                    if not apply_record(ledger, record.key, record.value, record.timestamp):
                        skipped += 1
    except TimeoutError:
        raise TransientError(f"ledger topic {topic}: not read within {timeout_s:g}s") from None
    except KafkaError as exc:
        raise TransientError(f"ledger topic {topic}: {type(exc).__name__}") from exc
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
