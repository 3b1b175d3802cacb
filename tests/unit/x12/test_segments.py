"""Segments on demand: elements, composites, repetitions, offsets."""

from __future__ import annotations

import pytest

from edimesh.x12.delimiters import Delimiters
from edimesh.x12.segments import (
    SegmentTokenizer,
    SegmentTooLongError,
    iter_segments,
    render_segments,
)

from .helpers import interchange

D = Delimiters(b"*", b":", b"^", b"~")


def test_elements_composites_and_repetitions() -> None:
    raw = b"ST*837*0001~HI*ABK:J069^ABF:E119*ABF:I10~SE*3*0001~"
    segments = list(iter_segments(raw, D, base_offset=100))
    hi = segments[1]
    assert hi.id == "HI"
    assert hi.offset == 112
    assert hi.element(1) == "ABK:J069^ABF:E119"
    assert hi.repetitions(1) == ("ABK:J069", "ABF:E119")
    assert hi.components(2) == ("ABF", "I10")
    assert hi.element(9) == ""
    assert hi.components(9) == ()
    assert render_segments(segments, D) == raw


def test_no_repetition_separator_keeps_the_element_whole() -> None:
    d = Delimiters(b"*", b":", None, b"~")
    (seg,) = iter_segments(b"HI*A^B~", d)
    assert seg.repetitions(1) == ("A^B",)


def test_layout_is_not_part_of_a_segment() -> None:
    segments = list(iter_segments(b"ST*837*1~\r\nSE*2*1~\r\n", D))
    assert [s.id for s in segments] == ["ST", "SE"]
    assert segments[1].offset == 11


def test_tokenizer_switches_delimiters_per_interchange() -> None:
    data = interchange() + interchange(el="|", term="\n")
    tok = SegmentTokenizer()
    segments = tok.feed(data) + tok.finish()
    assert [s.id for s in segments].count("ISA") == 2
    assert {s.delimiters.element for s in segments} == {b"*", b"|"}
    assert segments[-1].id == "IEA"
    assert data[segments[-1].offset : segments[-1].offset + 3] == b"IEA"


def test_tokenizer_limits_segment_length() -> None:
    tok = SegmentTokenizer(max_segment_bytes=128)
    tok.feed(interchange()[:200])
    with pytest.raises(SegmentTooLongError):
        tok.feed(b"NTE*" + b"X" * 200)
