"""Fuzz target: the tokenizer plus envelope machine on hostile input.

Run briefly with every test run; `.ci/run` runs it again under the `fuzz` hypothesis profile.
Any exception, hang (the per-test timeout) or buffer growth beyond the limits fails it.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edimesh.x12.delimiters import DelimiterError
from edimesh.x12.events import Event, StreamEnd
from edimesh.x12.segments import SegmentTokenizer, SegmentTooLongError
from edimesh.x12.stream import X12Stream

pytestmark = pytest.mark.fuzz

MAX_SEGMENT = 512
MAX_SET = 2048

ISA = (
    b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    b"*240101*1200*^*00501*000000001*0*P*:~"
)
TOKENS = [
    ISA,
    ISA.replace(b"*", b"|").replace(b"~", b"\n"),
    b"ISA*00*0*00*0*ZZ*S*ZZ*R*240101*1200*U*00401*000000002*1*T*>'",
    b"GS*HC*S*R*20240101*1200*1*X*005010X222A1~",
    b"GS*HC*S*R*20240101*1200*2*X~",
    b"ST*837*0001*005010X222A1~",
    b"ST*837*0001~",
    b"ST~",
    b"SE*3*0001~",
    b"SE*x*0002~",
    b"SE~",
    b"GE*1*1~",
    b"GE*x~",
    b"IEA*1*000000001~",
    b"IEA~",
    b"TA1*000000001*240101*1200*A*000~",
    b"BHT*0019*00*1*20240101*1200*CH~",
    b"NM1*IL*1*DOE*JANE****MI*12345~",
    b"HI*ABK:J069^ABF:E119~",
    b"~",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"*",
    b"ISA",
    b"SE",
    b"X" * 700,
]

chunks = st.one_of(st.sampled_from(TOKENS), st.binary(max_size=64))


def run(pieces: list[bytes]) -> list[Event]:
    stream = X12Stream(max_segment_bytes=MAX_SEGMENT, max_set_bytes=MAX_SET)
    events: list[Event] = []
    for piece in pieces:
        events += stream.feed(piece)
        assert stream.buffered_bytes <= MAX_SET + MAX_SEGMENT + len(piece) + 1024
    events += stream.finish()
    return events


@given(st.lists(chunks, max_size=60), st.lists(st.integers(0, 4000), max_size=12))
def test_stream_never_crashes_and_stays_bounded(parts: list[bytes], cut_points: list[int]) -> None:
    data = b"".join(parts)
    whole = run([data])
    assert isinstance(whole[-1], StreamEnd)
    assert whole[-1].bytes_read == len(data)
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cut_points)})
    pieces = [data[a:b] for a, b in pairwise(bounds)]
    assert run(pieces) == whole
    for event in whole:
        for problem in event.problems:
            assert problem.message
            assert problem.location.byte_offset is None or problem.location.byte_offset >= 0


@given(st.lists(chunks, max_size=40))
def test_tokenizer_fails_only_with_its_own_errors(parts: list[bytes]) -> None:
    tokenizer = SegmentTokenizer(max_segment_bytes=MAX_SEGMENT)
    try:
        for part in parts:
            tokenizer.feed(part)
        tokenizer.finish()
    except (SegmentTooLongError, DelimiterError):
        pass
