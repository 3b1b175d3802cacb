"""The transaction pipeline: outputs flow at once, batches commit behind, never two at once."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from aiokafka import TopicPartition

from edimesh.mesh.transactions import CommitFailedError, Pending
from edimesh.splitter.ledger import LedgerEntry
from edimesh.splitter.observe import SplitterTelemetry
from edimesh.splitter.txn_stream import TransactionStream

SOURCE = TopicPartition("staged", 0)


class FakeProducer:
    """Records the calls; `finish` blocks until released, to hold a commit in flight."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.open = False
        self.release = asyncio.Event()
        self.release.set()
        self.fail_finish = False
        self.stopped = False

    async def begin(self) -> None:
        assert not self.open, "a second transaction began before the first ended"
        self.open = True
        self.log.append("begin")

    async def send(
        self, message: Pending, headers: list[tuple[str, bytes]] | None = None
    ) -> asyncio.Future[Any] | None:
        assert self.open
        self.log.append(f"send {message.topic} {message.value.decode()}")
        return None

    async def finish(
        self,
        futures: Sequence[asyncio.Future[Any]],
        offsets: Mapping[TopicPartition, int] | None,
        group_id: str,
    ) -> None:
        await self.release.wait()
        if self.fail_finish:
            self.open = False
            raise CommitFailedError("broker went away")
        self.log.append(f"commit offsets={dict(offsets or {}).get(SOURCE)}")
        self.open = False

    async def stop(self) -> None:
        self.stopped = True
        self.open = False


def _stream(producer: FakeProducer, accepted: list[Any], max_outputs: int = 2) -> TransactionStream:
    return TransactionStream(producer, SplitterTelemetry.of(None, "g"), max_outputs=max_outputs,
                             max_bytes=1 << 20, group_id="g",
                             on_accepted=lambda k, e: accepted.append((k, e)))  # fmt: skip


def _item(value: str, topic: str = "t") -> Pending:
    return Pending(topic, b"k", value.encode(), [])


async def test_outputs_go_out_at_once_and_batches_commit_with_their_progress() -> None:
    producer, accepted, done = FakeProducer(), list[Any](), list[int]()
    stream = _stream(producer, accepted)
    await stream.add(_item("a"), ("K", LedgerEntry("f", 1)))
    assert producer.log == ["begin", "send t a"]  # sent before the batch is complete
    await stream.add(_item("b"))
    assert stream.full
    await stream.commit(_item("p1", "progress"), None, lambda: done.append(1))
    await stream.add(_item("c"))
    await stream.commit(_item("p2", "progress"), {SOURCE: 7}, lambda: done.append(2))
    await stream.settle()
    assert producer.log == [
        "begin", "send t a", "send t b", "send progress p1", "commit offsets=None",
        "begin", "send t c", "send progress p2", "commit offsets=7",
    ]  # fmt: skip
    assert done == [1, 2]
    assert accepted == [("K", LedgerEntry("f", 1))]  # applied once its batch committed


async def test_outputs_wait_in_a_bounded_buffer_while_a_commit_is_in_flight() -> None:
    producer, accepted = FakeProducer(), list[Any]()
    stream = _stream(producer, accepted)
    producer.release.clear()  # hold the first commit
    await stream.add(_item("a"))
    await stream.commit(_item("p1", "progress"), None, lambda: None)
    await stream.add(_item("b"))
    await stream.add(_item("c"))
    assert stream.full  # the buffer has the same bound as a batch
    assert "send t b" not in producer.log  # no second transaction while one commits
    producer.release.set()
    await stream.commit(_item("p2", "progress"), None, lambda: None)
    await stream.settle()
    assert producer.log[-5:] == ["begin", "send t b", "send t c", "send progress p2",
                                 "commit offsets=None"]  # fmt: skip


async def test_a_failed_commit_surfaces_and_its_ledger_entries_are_not_applied() -> None:
    producer, accepted, done = FakeProducer(), list[Any](), list[int]()
    stream = _stream(producer, accepted)
    producer.fail_finish = True
    await stream.add(_item("a"), ("K", LedgerEntry("f", 1)))
    await stream.commit(_item("p1", "progress"), None, lambda: done.append(1))
    with pytest.raises(CommitFailedError):
        await stream.settle()
    await stream.abandon()
    assert producer.stopped
    assert accepted == []
    assert done == []
