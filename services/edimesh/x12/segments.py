"""Segments: one X12 segment as a value, and a streaming tokenizer that yields them.

The envelope scanner (`stream.py`) never tokenizes body segments; this module is for code
that needs the elements: validation, acknowledgments, debugging. Elements are decoded as
latin-1, which maps every byte to one character, so nothing is lost and offsets stay exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from edimesh.x12.delimiters import LAYOUT_BYTES, Delimiters, is_isa_start, read_isa

ENCODING = "latin-1"


class SegmentTooLongError(ValueError):
    """A run of bytes longer than the limit without a segment terminator."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: its id, its elements (element 1 at index 0), and its file offset."""

    id: str
    elements: tuple[str, ...]
    offset: int
    delimiters: Delimiters

    def element(self, n: int) -> str:
        """Element `n` (1-based), or "" when absent."""
        return self.elements[n - 1] if 0 < n <= len(self.elements) else ""

    def components(self, n: int) -> tuple[str, ...]:
        """The components of composite element `n`."""
        value = self.element(n)
        return tuple(value.split(self.delimiters.component.decode(ENCODING))) if value else ()

    def repetitions(self, n: int) -> tuple[str, ...]:
        """The repeats of element `n` (one value when there is no repetition separator)."""
        value = self.element(n)
        if not value:
            return ()
        if self.delimiters.repetition is None:
            return (value,)
        return tuple(value.split(self.delimiters.repetition.decode(ENCODING)))


def render_segments(
    segments: list[Segment] | tuple[Segment, ...], delimiters: Delimiters, layout: bytes = b""
) -> bytes:
    """Serialize segments back to X12 with `delimiters`, `layout` after each terminator."""
    elem = delimiters.element.decode(ENCODING)
    tail = delimiters.segment + layout
    return b"".join(
        elem.join((s.id, *s.elements)).encode(ENCODING) + tail for s in segments
    )


def _make(raw: bytes | bytearray, offset: int, delimiters: Delimiters) -> Segment | None:
    text = raw.decode(ENCODING).lstrip(LAYOUT_BYTES.decode(ENCODING))
    if not text:
        return None
    skipped = len(raw) - len(text)
    seg_id, *elements = text.split(delimiters.element.decode(ENCODING))
    return Segment(seg_id, tuple(elements), offset + skipped, delimiters)


def iter_segments(
    raw: bytes, delimiters: Delimiters, base_offset: int = 0
) -> Iterator[Segment]:
    """The segments of a complete run of X12 (a transaction set's bytes, say)."""
    term = delimiters.segment
    pos = 0
    while pos < len(raw):
        end = raw.find(term, pos)
        stop = len(raw) if end < 0 else end
        segment = _make(raw[pos:stop], base_offset + pos, delimiters)
        if segment is not None:
            yield segment
        pos = stop + 1


class SegmentTokenizer:
    """Feed fragments of any size; get the same segments whatever the boundaries.

    It finds each ISA itself (after a BOM, layout bytes or junk, which are skipped) and uses
    that interchange's delimiters until its IEA. Memory is bounded by the longest segment.
    """

    def __init__(self, max_segment_bytes: int = 1 << 20) -> None:
        self._max = max_segment_bytes
        self._buf = bytearray()
        self._base = 0
        self._delims: Delimiters | None = None

    def feed(self, data: bytes | bytearray | memoryview) -> list[Segment]:
        self._buf += data
        return self._run(final=False)

    def finish(self) -> list[Segment]:
        return self._run(final=True)

    def _run(self, final: bool) -> list[Segment]:
        out: list[Segment] = []
        buf = self._buf
        pos = 0
        while pos < len(buf):
            if self._delims is None:
                i = buf.find(b"ISA", pos)
                while i >= 0 and len(buf) >= i + 4 and not is_isa_start(buf, i):
                    i = buf.find(b"ISA", i + 1)
                if i < 0 or len(buf) < i + 4:
                    pos = len(buf) if final else max(pos, len(buf) - 3)
                    break
                isa = read_isa(buf, i)
                if isa is None:
                    pos = len(buf) if final else i
                    break
                self._delims = isa.delimiters
                pos = i
            term = self._delims.segment
            end = buf.find(term, pos, pos + self._max + 1)
            if end < 0:
                if len(buf) - pos > self._max:
                    raise SegmentTooLongError(f"no segment terminator within {self._max} bytes")
                if not final:
                    break
                end = len(buf)
            segment = _make(buf[pos:end], self._base + pos, self._delims)
            pos = end + 1
            if segment is not None:
                out.append(segment)
                if segment.id == "IEA":
                    self._delims = None
        pos = min(pos, len(buf))
        del buf[:pos]
        self._base += pos
        return out
