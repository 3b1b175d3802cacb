"""Accepted interchanges: the in-memory view of the compacted `edi.ledger.interchanges` topic.

An interchange is identified by `ISA06|ISA08|ISA13`. Only well-formed keys take part: a blank
sender or receiver, or an ISA13 that is not nine digits, cannot identify a repeat (two such
interchanges would look alike for no reason), so those are neither recorded nor checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from edimesh.x12.events import InterchangeHeader


class LedgerEntry(NamedTuple):
    """Where an interchange was first accepted."""

    file_id: str
    interchange_index: int  # ordinal in that file, from 1


class LedgerLookup(Protocol):
    """What the handler asks: was this interchange accepted before, and where?"""

    def accepted(self, interchange_key: str) -> LedgerEntry | None: ...


def ledger_key(header: InterchangeHeader) -> str | None:
    """The interchange key when it can identify a repeat, else None."""
    isa13 = header.control_number
    if not (header.sender_id and header.receiver_id and isa13.isdigit() and len(isa13) == 9):
        return None
    return header.interchange_key


@dataclass(slots=True)
class InterchangeLedger:
    """Key -> first acceptance. Fed by the ledger topic and by this process's own commits."""

    _entries: dict[str, LedgerEntry] = field(default_factory=dict)

    def accepted(self, interchange_key: str) -> LedgerEntry | None:
        return self._entries.get(interchange_key)

    def record(self, interchange_key: str, entry: LedgerEntry) -> None:
        # Compaction keeps the latest write; the first acceptance is the one that counts.
        self._entries.setdefault(interchange_key, entry)

    def __len__(self) -> int:
        return len(self._entries)
