"""Accepted interchanges: the in-memory view of the compacted `edi.ledger.interchanges` topic.

An interchange is identified by `ISA06|ISA08|ISA13`. Only well-formed keys take part: a blank
sender or receiver, or an ISA13 that is not nine digits, cannot identify a repeat (two such
interchanges would look alike for no reason), so those are neither recorded nor checked.

The ledger is a duplicate-detection window, not a history: with `retention_ms` set, a key
accepted longer ago than that is forgotten (never loaded, and dropped by `expire`), as the
topic's own retention deletes it. Partners must not reuse an ISA13 within the window; a
reuse after it is accepted as a new interchange.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from edimesh.mesh.retention_window import RetentionWindow
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


class InterchangeLedger(RetentionWindow[str, tuple[str, int, int]]):
    """Key -> first acceptance. Fed by the ledger topic and by this process's own commits.

    Each entry is (file_id, interchange_index, accepted at, epoch ms): a plain tuple is the
    smallest per-entry object, and there may be millions.
    """

    __slots__ = ()

    @staticmethod
    def _item_ms(item: tuple[str, tuple[str, int, int]]) -> int:
        return item[1][2]

    def accepted(self, interchange_key: str) -> LedgerEntry | None:
        held = self._entries.get(interchange_key)
        return None if held is None else LedgerEntry(held[0], held[1])

    def record(
        self, interchange_key: str, entry: LedgerEntry, accepted_ms: int | None = None
    ) -> None:
        """Remember a first acceptance (at `accepted_ms`, default now); an entry already
        outside the window is ignored."""
        if accepted_ms is None or accepted_ms <= 0:
            accepted_ms = self._now_ms()
        if self.outside_window(accepted_ms):
            return
        # Compaction keeps the latest write; the first acceptance is the one that counts.
        self._entries.setdefault(interchange_key, (entry.file_id, entry.interchange_index,
                                                   accepted_ms))  # fmt: skip
