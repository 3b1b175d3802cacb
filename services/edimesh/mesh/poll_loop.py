"""The poll loop of a consume-transform-produce service: fetch, hand to the partition workers,
and return at once when a stop is requested, even in the middle of a fetch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiokafka import TopicPartition

POLL_MS = 200

Dispatch = Callable[[dict[TopicPartition, list[Any]]], None]


async def poll_until_stopped(
    consumer: Any, stop: asyncio.Event, dispatch: Dispatch, max_records: int
) -> None:
    """Poll `consumer` and pass every batch to `dispatch` until `stop` is set."""
    stopped = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            poll = asyncio.ensure_future(
                consumer.getmany(timeout_ms=POLL_MS, max_records=max_records)
            )
            await asyncio.wait({poll, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not poll.done():
                poll.cancel()
                await asyncio.gather(poll, return_exceptions=True)
                break
            dispatch(poll.result())
    finally:
        stopped.cancel()
