"""The sans-I/O X12 stream: bytes in, in fragments of any size; events out.

Speed comes from never looking at body segments one by one: a regular expression finds the
envelope segments (ISA, GS, ST, SE, GE, IEA) right after a segment terminator, and the body
segments between them are counted with `bytes.count`. Memory stays bounded: the buffer holds
at most the current transaction set (up to `max_set_bytes`; bigger sets are hashed as they
pass and go by reference) plus one segment (up to `max_segment_bytes`).

The result does not depend on fragment boundaries: a decision is taken only on complete
segments, and a segment's length limit is checked over a fixed window.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from edimesh.x12 import problems as p
from edimesh.x12.delimiters import (
    LAYOUT_BYTES,
    DelimiterError,
    Delimiters,
    is_isa_start,
    read_isa,
)
from edimesh.x12.envelope import EnvelopeMachine, warning
from edimesh.x12.events import BodyReference, Event, StreamEnd
from edimesh.x12.problems import Level, Location, Problem

DEFAULT_MAX_SEGMENT_BYTES = 1 << 20
DEFAULT_MAX_SET_BYTES = 8 << 20
_BOM = b"\xef\xbb\xbf"
_SPACE = re.compile(rb"[\s]*")


@lru_cache(maxsize=64)
def _envelope_pattern(delimiters: Delimiters) -> re.Pattern[bytes]:
    """A terminator, optional layout bytes, then what may be an envelope (or TA1) segment id.

    The byte after the id is checked in Python (`_next_envelope`): a lookahead in the pattern
    halves the scan speed.
    """
    term = re.escape(delimiters.segment)
    layout = re.escape(bytes(b for b in LAYOUT_BYTES if bytes([b]) != delimiters.segment))
    return re.compile(rb"%s[%s]*(S[TE]|G[SE]|I(?:EA|SA)|TA1)" % (term, layout))


class X12Stream:
    """Feed bytes with `feed`, end with `finish`; both return the events that became ready."""

    def __init__(
        self,
        *,
        max_segment_bytes: int = DEFAULT_MAX_SEGMENT_BYTES,
        max_set_bytes: int = DEFAULT_MAX_SET_BYTES,
    ) -> None:
        self._max_segment = max_segment_bytes
        self._max_set = max_set_bytes
        self._buf = bytearray()
        self._base = 0  # file offset of _buf[0]
        self._pos = 0  # index in _buf of the first unprocessed byte
        self._total = 0
        self._out: list[Event] = []
        self._machine = EnvelopeMachine(self, self._out)
        # Inside an interchange: its delimiters. _buf[_pos - 1] is then always a terminator.
        self._delims: Delimiters | None = None
        self._pattern: re.Pattern[bytes] | None = None
        self._element_text = ""
        self._pending_body = 0
        self._pending_body_at = 0
        self._junk = 0
        self._junk_at = 0
        self._junk_silent = False  # the rest of a rejected interchange is not reported as junk
        self._junk_has_segments = False  # skipped bytes hold the last interchange's terminator
        self._last_term: bytes | None = None
        self._discarding = False  # inside a segment longer than the limit
        self._hasher: hashlib._Hash | None = None  # the open set, once it outgrew _max_set
        self._hashed_to = 0
        self._finished = False

    # ------------------------------------------------------------------ public

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        if self._finished:
            raise RuntimeError("feed() after finish()")
        self._buf += data
        self._total += len(data)
        self._run(final=False)
        return self._drain()

    def finish(self) -> list[Event]:
        if self._finished:
            return []
        self._run(final=True)
        self._finished = True
        self._flush_junk()
        m = self._machine
        if self._delims is not None:
            self._flush_body()
            m.end_of_interchange(self._base + self._pos, "the end of the input")
            self._delims = None
        if self._total == 0:
            m.file_problems.append(
                Problem("empty_input", Level.FILE, None, "the input is empty",
                        Location(byte_offset=0))
            )
        elif m.interchanges == 0 and not any(x.kind == "isa_truncated" for x in m.file_problems):
            m.file_problems.append(
                Problem("no_isa", Level.FILE, None, "no ISA segment found", Location(byte_offset=0))
            )
        self._out.append(
            StreamEnd(self._total, m.interchanges, m.groups, m.sets, m.segments,
                      tuple(m.file_problems))
        )
        return self._drain()

    @property
    def buffered_bytes(self) -> int:
        """Bytes held right now: bounded by the largest set in memory plus one fragment."""
        return len(self._buf)

    # ------------------------------------------------------------------ SetBytes

    def take_set(self, start: int, end: int) -> tuple[bytes | None, BodyReference | None]:
        if self._hasher is not None:
            self._hash_to(end)
            reference = BodyReference(start, end, self._hasher.hexdigest())
            self._hasher = None
            return None, reference
        raw = bytes(memoryview(self._buf)[start - self._base : end - self._base])
        if end - start > self._max_set:
            return None, BodyReference(start, end, hashlib.sha256(raw).hexdigest())
        return raw, None

    # ------------------------------------------------------------------ driving

    def _drain(self) -> list[Event]:
        out = self._out[:]
        self._out.clear()
        return out

    def _run(self, final: bool) -> None:
        while True:
            if self._discarding:
                progressed = self._discard(final)
            elif self._delims is not None:
                progressed = self._step_inside(final)
            else:
                progressed = self._step_outside(final)
            if not progressed:
                break
        self._compact()

    def _compact(self) -> None:
        keep = self._pos - 1 if self._delims is not None else self._pos
        set_start = self._machine.open_set_start
        if set_start is not None and self._hasher is None:
            keep = min(keep, set_start - self._base)
        if keep > 0:
            del self._buf[:keep]  # cheap: bytearray drops a prefix without moving the rest
            self._base += keep
            self._pos -= keep

    def _move_to(self, pos: int) -> None:
        """Advance the cursor; an open set that outgrows the memory limit starts hashing."""
        set_start = self._machine.open_set_start
        if set_start is not None:
            if self._hasher is None and self._base + pos - set_start > self._max_set:
                self._hasher = hashlib.sha256()
                self._hashed_to = set_start
            if self._hasher is not None:
                self._hash_to(self._base + pos)
        self._pos = pos

    def _hash_to(self, end: int) -> None:
        assert self._hasher is not None
        if end > self._hashed_to:
            view = memoryview(self._buf)[self._hashed_to - self._base : end - self._base]
            self._hasher.update(view)
            view.release()
            self._hashed_to = end

    # ------------------------------------------------------------------ outside

    def _step_outside(self, final: bool) -> bool:
        buf, pos = self._buf, self._pos
        if self._base + pos == 0 and buf.startswith(_BOM):
            self._pos = len(_BOM)
            return True
        if self._junk == 0:  # layout before an ISA is not junk; inside junk it is
            start = _SPACE.match(buf, pos)
            pos = start.end() if start else pos
        i = buf.find(b"ISA", pos)
        while i >= 0 and not is_isa_start(buf, i):
            if len(buf) < i + 4 and not final:
                break
            i = buf.find(b"ISA", i + 1)
        if i < 0 or not is_isa_start(buf, i):
            # Keep what could be the start of an ISA split across fragments.
            stop = len(buf) if final else max(pos, len(buf) - 3)
            self._add_junk(pos, stop)
            moved = stop != self._pos
            self._pos = stop
            return moved and not final
        self._add_junk(pos, i)
        self._pos = i
        try:
            isa = read_isa(buf, i)
        except DelimiterError as exc:
            self._flush_junk()
            where = Location(self._machine.interchanges + 1, byte_offset=self._base + i,
                             segment_id="ISA")
            problem = Problem("isa_delimiters", Level.INTERCHANGE, exc.ta1_code, str(exc), where)
            self._machine.interchange_rejected(problem, self._base + i, self._base + i + 3)
            self._pos = i + 3
            self._junk_silent = True
            return True
        if isa is None:
            if final:
                self._flush_junk()
                self._machine.file_problems.append(
                    Problem("isa_truncated", Level.FILE, p.TA1_PREMATURE_END_OF_FILE,
                            "the input ends inside an ISA segment",
                            Location(byte_offset=self._base + i, segment_id="ISA"))
                )
                self._pos = len(buf)
            return False
        self._flush_junk()
        self._junk_silent = False
        warnings = []
        if isa.repetition_ignored:
            where = Location(self._machine.interchanges + 1, byte_offset=self._base + i,
                             segment_id="ISA")
            warnings.append(warning("isa11_not_a_separator",
                                    "ISA11 cannot be a repetition separator; repetitions "
                                    "are not split", where, Level.INTERCHANGE))
        self._machine.open_interchange(isa.elements, isa.delimiters, self._base + i, warnings)
        self._delims = isa.delimiters
        self._element_text = isa.delimiters.element.decode("latin-1")
        self._pattern = _envelope_pattern(isa.delimiters)
        self._pos = isa.end
        return True

    def _add_junk(self, start: int, stop: int) -> None:
        if stop <= start:
            return
        if self._junk == 0:
            self._junk_at = self._base + start
        self._junk += stop - start
        if self._last_term is not None and self._buf.find(self._last_term, start, stop) >= 0:
            self._junk_has_segments = True

    def _flush_junk(self) -> None:
        if self._junk and not self._junk_silent:
            where = Location(byte_offset=self._junk_at)
            if self._junk_has_segments:
                # Text before the first ISA is tolerated; segments between interchanges are not.
                self._machine.file_problems.append(
                    Problem("segments_outside_interchange", Level.FILE, None,
                            f"{self._junk} byte(s) of segments outside any interchange", where)
                )
            else:
                self._machine.file_problems.append(
                    warning("not_x12", f"{self._junk} byte(s) outside any interchange skipped",
                            where)
                )
        self._junk = 0
        self._junk_has_segments = False

    # ------------------------------------------------------------------ inside

    def _step_inside(self, final: bool) -> bool:
        assert self._delims is not None
        assert self._pattern is not None
        buf, pos, term = self._buf, self._pos, self._delims.segment
        window_end = min(len(buf), pos + self._max_segment)
        m, window_end = self._next_envelope(pos - 1, window_end)
        if m is None:
            last = buf.rfind(term, pos, window_end)
            if last >= 0:
                self._add_body(buf.count(term, pos, last + 1), pos)
                self._move_to(last + 1)
                return True
            if window_end - pos >= self._max_segment:
                return self._too_long(pos)
            if final and buf[pos:].strip(LAYOUT_BYTES):
                self._add_body(1, pos)
                self._unterminated(pos)
                self._move_to(len(buf))
            return False

        after_term = m.start() + 1
        count = buf.count(term, pos, after_term)
        if count:
            self._add_body(count, pos)
        if self._machine.open_set_start is not None:
            self._move_to(after_term)
        else:
            self._pos = after_term
        if m.group(1) == b"ISA":  # a new ISA before this interchange's IEA
            self._flush_body()
            self._machine.end_of_interchange(self._base + after_term, "the next ISA")
            self._delims = None
            self._pos = m.start(1)
            return True

        seg_start = m.start(1)
        end = buf.find(term, seg_start, seg_start + self._max_segment + 1)
        if end < 0:
            if len(buf) - seg_start > self._max_segment:
                return self._too_long(seg_start)
            if not final:
                return False
            self._unterminated(seg_start)
            end = len(buf)
        if self._pending_body:
            self._flush_body()
        seg_id = m.group(1).decode("ascii")
        elements = buf[seg_start:end].decode("latin-1").split(self._element_text)
        base = self._base
        after = end + 1 if end < len(buf) else end
        if self._hasher is not None:
            self._move_to(after)
        else:
            self._pos = after
        self._machine.envelope(seg_id, elements, base + seg_start, base + after, base + after_term)
        if seg_id == "IEA":
            self._last_term = self._delims.segment
            self._delims = None
        return True

    def _next_envelope(self, start: int, stop: int) -> tuple[re.Match[bytes] | None, int]:
        """The next envelope segment in buf[start:stop], and how far the search may be trusted.

        When the byte after a candidate id is not there yet, the search stops just after the
        terminator before that id: nothing beyond it can be decided.
        """
        assert self._delims is not None
        assert self._pattern is not None
        buf, search = self._buf, self._pattern.search
        follow = (self._delims.element[0], self._delims.segment[0])
        while (m := search(buf, start, stop)) is not None:
            after = m.end()
            if after >= stop:
                return None, m.start() + 1
            byte = buf[after]
            if m.group(1) == b"ISA":
                # A new ISA may use other delimiters: any non-alphanumeric byte may follow.
                if not (chr(byte).isalnum() or chr(byte).isspace()):
                    return m, stop
            elif byte in follow:
                return m, stop
            start = after
        return None, stop

    def _add_body(self, count: int, pos: int) -> None:
        if count:
            if self._pending_body == 0:
                self._pending_body_at = self._base + pos
            self._pending_body += count

    def _flush_body(self) -> None:
        if self._pending_body:
            self._machine.body(self._pending_body, self._pending_body_at)
            self._pending_body = 0

    def _unterminated(self, pos: int) -> None:
        self._machine.file_problems.append(
            warning("unterminated_segment", "the last segment has no terminator",
                    Location(byte_offset=self._base + pos))
        )

    def _too_long(self, pos: int) -> bool:
        self._flush_body()
        self._machine.segment_too_long(self._base + pos, self._max_segment)
        if self._machine.open_set_start is not None and self._hasher is None:
            self._hasher = hashlib.sha256()
            self._hashed_to = self._machine.open_set_start
        self._discarding = True
        return True

    def _discard(self, final: bool) -> bool:
        """Skip the rest of an over-long segment, up to its terminator."""
        assert self._delims is not None
        end = self._buf.find(self._delims.segment, self._pos)
        if end < 0:
            self._move_to(len(self._buf))
            if final:
                self._discarding = False
            return False
        self._move_to(end + 1)
        self._discarding = False
        self._add_body(1, end)
        return True
