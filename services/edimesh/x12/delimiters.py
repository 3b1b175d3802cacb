"""Delimiter detection from an ISA segment, without assuming `*`, `~` or a 106-byte ISA.

The element separator is the byte after `ISA`; the 16 ISA elements are counted, not
measured; ISA16 is the component separator and the byte after it ends the segment.
ISA11 is the repetition separator from version 00501 on, and a standards id before it.
"""

from __future__ import annotations

from dataclasses import dataclass

ISA_ELEMENTS = 16
# An ISA is 106 bytes when padded; anything this long without 16 separators is not an ISA.
ISA_MAX_BYTES = 512
# Bytes that may follow a segment terminator for readability and are not part of any segment.
LAYOUT_BYTES = b"\r\n "
_REPETITION_FROM_VERSION = 501


@dataclass(frozen=True, slots=True)
class Delimiters:
    """One interchange's delimiters, each a single byte."""

    element: bytes
    component: bytes
    repetition: bytes | None
    segment: bytes

    def describe(self) -> str:
        rep = self.repetition.decode("latin-1") if self.repetition else "none"
        return (
            f"element={self.element.decode('latin-1')!r} "
            f"component={self.component.decode('latin-1')!r} "
            f"repetition={rep!r} segment={self.segment.decode('latin-1')!r}"
        )


DEFAULT_DELIMITERS = Delimiters(element=b"*", component=b":", repetition=b"^", segment=b"~")


class DelimiterError(ValueError):
    """The ISA declares delimiters that cannot be used. `ta1_code` is the TA105 note code."""

    def __init__(self, message: str, ta1_code: str) -> None:
        super().__init__(message)
        self.ta1_code = ta1_code


@dataclass(frozen=True, slots=True)
class IsaRead:
    """A parsed ISA: its 16 elements (ISA01 at index 0), delimiters and where it ends."""

    elements: tuple[str, ...]
    delimiters: Delimiters
    end: int  # index just after the segment terminator
    repetition_ignored: bool  # ISA11 was not usable as a repetition separator


def is_isa_start(buf: bytes | bytearray, i: int) -> bool:
    """True when buf[i:] starts like an ISA: `ISA` then a plausible element separator."""
    if buf[i : i + 3] != b"ISA" or len(buf) < i + 4:
        return False
    sep = buf[i + 3 : i + 4]
    return not (sep.isalnum() or sep in b" \r\n\t")


def read_isa(buf: bytes | bytearray, i: int) -> IsaRead | None:
    """Parse the ISA starting at buf[i] (`is_isa_start` holds).

    Returns None when more bytes are needed. Raises DelimiterError when the ISA is not
    usable: too long, or delimiters that collide.
    """
    element = bytes(buf[i + 3 : i + 4])
    limit = min(len(buf), i + ISA_MAX_BYTES)
    positions = []
    p = i + 3
    for _ in range(ISA_ELEMENTS):
        p = buf.find(element, p, limit)
        if p < 0:
            if limit < i + ISA_MAX_BYTES:
                return None
            raise DelimiterError(
                "ISA does not have 16 elements within its maximum length",
                "022",
            )
        positions.append(p)
        p += 1
    last = positions[-1]
    if len(buf) < last + 3:
        return None
    component = bytes(buf[last + 1 : last + 2])
    segment = bytes(buf[last + 2 : last + 3])
    raw = bytes(buf[i + 4 : last]).decode("latin-1")
    elements = (*raw.split(element.decode("latin-1")), component.decode("latin-1"))
    repetition, ignored = _repetition(elements)
    delimiters = Delimiters(element, component, repetition, segment)
    check_delimiters(delimiters)
    return IsaRead(elements, delimiters, last + 3, ignored)


def _repetition(elements: tuple[str, ...]) -> tuple[bytes | None, bool]:
    version = elements[11].strip()
    if not (version.isdigit() and int(version) >= _REPETITION_FROM_VERSION):
        return None, False
    rep = elements[10].encode("latin-1")
    # A letter or digit in ISA11 (often a leftover "U" from 004010) cannot separate anything.
    if len(rep) != 1 or rep.isalnum() or rep in LAYOUT_BYTES:
        return None, True
    return rep, False


def check_delimiters(d: Delimiters) -> None:
    """Reject a delimiter set whose bytes collide or could appear in ordinary data."""
    named = [("element separator", d.element, "026"), ("component separator", d.component, "027")]
    if d.repetition is not None:
        named.append(("repetition separator", d.repetition, "026"))
    for name, value, code in named:
        if len(value) != 1 or value.isalnum() or value in LAYOUT_BYTES + b"\t":
            raise DelimiterError(f"{name} must be one non-alphanumeric, non-space byte", code)
    if len(d.segment) != 1 or d.segment.isalnum() or d.segment == b" ":
        raise DelimiterError("segment terminator must be one non-alphanumeric byte", "004")
    seen: dict[bytes, str] = {}
    for name, value, code in [*named, ("segment terminator", d.segment, "004")]:
        if value in seen:
            raise DelimiterError(f"{name} is the same byte as the {seen[value]}", code)
        seen[value] = name
