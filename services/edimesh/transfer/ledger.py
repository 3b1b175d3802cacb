"""Which file contents were already staged and published: the dedupe ledger.

In memory it is a set of sha256 digests; in Kafka it is the compacted staged-files topic, written
in the same transaction as each FileStaged event. `read_ledger` rebuilds the set at start from
that topic (read_committed), so a restart between publish and dispose never publishes again.
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from edimesh.errors import ConfigError, TransientError
from edimesh.mesh.admin import topic_partitions
from edimesh.mesh.topics import MAX_MESSAGE_BYTES

_FETCH_TIMEOUT_MS = 500


class StagedLedger:
    """Known file ids, plus claims so two same-content files never both publish."""

    def __init__(self, known: set[bytes] | None = None):
        self._known: set[bytes] = known if known is not None else set()
        self._claims: dict[bytes, asyncio.Event] = {}

    def __len__(self) -> int:
        return len(self._known)

    def __contains__(self, file_id: str) -> bool:
        return _digest(file_id) in self._known

    async def claim(self, file_id: str) -> bool:
        """True: the caller must publish `file_id` then `settle` it. False: already staged."""
        digest = _digest(file_id)
        while (pending := self._claims.get(digest)) is not None:
            await pending.wait()  # another file with this content is being published
        if digest in self._known:
            return False
        self._claims[digest] = asyncio.Event()
        return True

    def settle(self, file_id: str, *, published: bool) -> None:
        """End a claim; a failed publish leaves the content unknown for a later try."""
        digest = _digest(file_id)
        if published:
            self._known.add(digest)
        event = self._claims.pop(digest, None)
        if event is not None:
            event.set()


def _digest(file_id: str) -> bytes:
    return bytes.fromhex(file_id)  # 32 bytes per entry instead of a 64-character string


async def read_ledger(bootstrap: str, topic: str, *, timeout_s: float = 120.0) -> set[bytes]:
    """Every file id in the committed ledger topic; a tombstone forgets its key."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
        client_id="edimesh-transfer-ledger",
    )
    known: set[bytes] = set()
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
                        _apply(known, record.key, record.value)
                pending = [tp for tp in pending if await consumer.position(tp) < ends[tp]]
    except TimeoutError:
        raise TransientError(f"ledger topic {topic}: not read within {timeout_s:g}s") from None
    except KafkaError as exc:
        raise TransientError(f"ledger topic {topic}: {type(exc).__name__}") from exc
    finally:
        await consumer.stop()
    return known


async def _partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    # The admin client sees every topic's layout; a consumer only knows the topics it tracks.
    count = (await topic_partitions(bootstrap)).get(topic)
    if not count:
        raise ConfigError(f"ledger topic {topic} does not exist: run `edimesh topics create`")
    return [TopicPartition(topic, p) for p in range(count)]


def _apply(known: set[bytes], key: bytes | None, value: bytes | None) -> None:
    if key is None:
        return
    try:
        digest = bytes.fromhex(key.decode("ascii"))
    except ValueError:
        return  # not ours: the ledger is keyed by hex sha256
    if value is None:
        known.discard(digest)
    else:
        known.add(digest)
