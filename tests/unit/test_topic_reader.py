"""`read_to_end` yields exactly the records below the end offsets and leaves the position at
the end, so a later read (a tail) picks up what was fetched past it."""

from __future__ import annotations

from typing import NamedTuple

from aiokafka import TopicPartition

from edimesh.mesh.topic_reader import read_to_end

A = TopicPartition("t", 0)
B = TopicPartition("t", 1)


class _Record(NamedTuple):
    partition: int
    offset: int


class _Consumer:
    """A partition log read in fetches of `fetch` records; offsets in `hidden` are control
    records or aborted ones: they move the position but are never returned."""

    def __init__(self, logs: dict[TopicPartition, int], fetch: int, hidden: set[int]) -> None:
        self.logs = logs
        self.fetch = fetch
        self.hidden = hidden
        self.positions = dict.fromkeys(logs, 0)

    async def getmany(
        self, *tps: TopicPartition, timeout_ms: int
    ) -> dict[TopicPartition, list[_Record]]:
        out = {}
        for tp in tps:
            start = self.positions[tp]
            stop = min(start + self.fetch, self.logs[tp])
            self.positions[tp] = stop
            batch = [_Record(tp.partition, o) for o in range(start, stop) if o not in self.hidden]
            if batch:
                out[tp] = batch
        return out

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.positions[tp] = offset

    async def position(self, tp: TopicPartition) -> int:
        return self.positions[tp]


async def _offsets(consumer: _Consumer, ends: dict[TopicPartition, int]) -> list[tuple[int, int]]:
    return [(r.partition, r.offset) async for r in read_to_end(consumer, ends)]


async def test_records_past_the_end_are_left_for_the_next_read() -> None:
    consumer = _Consumer({A: 10, B: 3}, fetch=4, hidden={1})
    first = await _offsets(consumer, {A: 6, B: 3})
    assert sorted(first) == [(0, 0), (0, 2), (0, 3), (0, 4), (0, 5), (1, 0), (1, 2)]
    assert consumer.positions[A] == 6
    assert await _offsets(consumer, {A: 10, B: 3}) == [(0, 6), (0, 7), (0, 8), (0, 9)]


async def test_empty_partitions_and_a_trailing_marker_end_the_read() -> None:
    consumer = _Consumer({A: 0, B: 3}, fetch=10, hidden={2})
    assert await _offsets(consumer, {A: 0, B: 3}) == [(1, 0), (1, 1)]
