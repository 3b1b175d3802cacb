"""Pieces every consumer-group service repeats: its consumer, its rebalance listener, stopping a
partition worker's task, and the jittered retry backoff.

    consumer = group_consumer(settings, partition_assignment_strategy=(RangePartitionAssignor,))
    consumer.subscribe(topics, listener=Rebalance(service.assign, service.revoke))

The consumer reads read_committed and never auto-commits: offsets travel inside the
transactions that carry the outputs (PartitionProducer.finish).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from edimesh.mesh.kafka_security import client_options
from edimesh.mesh.service_settings import GroupServiceSettings
from edimesh.mesh.topics import MAX_MESSAGE_BYTES


def group_consumer(settings: GroupServiceSettings, **extra: Any) -> AIOKafkaConsumer:
    """The service's group member: read_committed, manual commits, from the earliest offset."""
    return AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers,
        client_id=f"{settings.group_id}-{settings.instance_id or 'dynamic'}",
        group_id=settings.group_id,
        group_instance_id=settings.instance_id,
        isolation_level="read_committed",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
        session_timeout_ms=settings.session_timeout_ms,
        heartbeat_interval_ms=settings.heartbeat_interval_ms,
        **client_options(),
        **extra,
    )


class Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    """Hands assignments and revocations to the service (revocation waits for the workers)."""

    def __init__(
        self,
        assign: Callable[[set[TopicPartition]], None],
        revoke: Callable[[set[TopicPartition]], Awaitable[None]],
    ) -> None:
        self._assign = assign
        self._revoke = revoke

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._revoke(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._assign(assigned)


async def finish_task(task: asyncio.Task[Any] | None, timeout_s: float) -> None:
    """Let `task` finish within `timeout_s` (it was asked to stop), else cancel it."""
    if task is None or task.done():
        return
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout_s)
    except TimeoutError:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
