"""What the pure handler returns: one message to publish, not yet encoded."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, NamedTuple

from edimesh.mesh.schemas import MessageType
from edimesh.mesh.topics import MeshTopics


class Destination(StrEnum):
    """The mesh topics the splitter writes (progress is the service's own business)."""

    TRANSACTIONS = "transactions"
    GROUP_MANIFESTS = "group_manifests"
    ACKS = "acks"
    QUARANTINE = "quarantine"
    INTERCHANGE_LEDGER = "interchange_ledger"

    def topic(self, topics: MeshTopics) -> str:
        name: str = getattr(topics, self.value).name
        return name


class Output(NamedTuple):
    """One message: where it goes, its schema, key and record (a messages.* TypedDict)."""

    destination: Destination
    message_type: MessageType
    key: str
    record: Mapping[str, Any]
    set_end: int | None = None  # for a TransactionSet: file offset just after its SE
