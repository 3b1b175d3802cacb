"""Property tests: the same events whatever the delimiters and the fragment boundaries."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from edimesh.x12.events import Event
from edimesh.x12.segments import SegmentTokenizer, render_segments
from edimesh.x12.stream import X12Stream

from .helpers import interchange, kinds, units

# Bytes that may delimit: printable punctuation and a few control characters.
DELIMITER_BYTES = sorted(
    set(b"!\"#$%&'()*+,/:;<=>?@[\\]^_`{|}~\x1c\x1d\x1e\x1f\x07")
)


@st.composite
def delimiter_sets(draw: st.DrawFn) -> tuple[str, str, str, str]:
    chosen = draw(st.lists(st.sampled_from(DELIMITER_BYTES), min_size=4, max_size=4,
                           unique=True))
    el, comp, rep, term = (chr(b) for b in chosen)
    return el, comp, rep, term


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    el, comp, rep, term = draw(delimiter_sets())
    layout = draw(st.sampled_from(["", "\n", "\r\n"]))
    n_sets = draw(st.integers(1, 4))
    sets = []
    for i in range(n_sets):
        body = [f"NM1*IL*1*NAME{j}*A****MI*{i}{j}" for j in range(draw(st.integers(0, 5)))]
        body.append(f"SV1*HC{comp}99213*100*UN*1")
        body.append(f"HI*ABK{comp}J069{rep}ABF{comp}E119")
        sets.append((f"{i + 1:04d}", body))
    data = interchange(sets, el=el, term=term, layout=layout, comp=comp, rep=rep)
    extra = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"junk before the interchange\n"]))
    return extra + data


def cuts(data: bytes, points: list[int]) -> list[bytes]:
    bounds = sorted({0, len(data), *(p % (len(data) + 1) for p in points)})
    return [data[a:b] for a, b in pairwise(bounds)]


def feed_all(pieces: list[bytes]) -> list[Event]:
    stream = X12Stream()
    events: list[Event] = []
    for piece in pieces:
        events += stream.feed(piece)
    return events + stream.finish()


@given(documents(), st.lists(st.integers(0, 10**6), max_size=30))
def test_events_do_not_depend_on_fragment_boundaries(data: bytes, points: list[int]) -> None:
    whole = feed_all([data])
    assert feed_all(cuts(data, points)) == whole
    assert "se01_count" not in kinds(whole)
    assert len(units(whole)) >= 1


@given(documents())
def test_byte_at_a_time_equals_one_shot(data: bytes) -> None:
    assert feed_all([data[i : i + 1] for i in range(len(data))]) == feed_all([data])


@given(documents(), st.lists(st.integers(0, 10**6), max_size=20))
def test_tokenizer_is_fragment_independent_and_round_trips(
    data: bytes, points: list[int]
) -> None:
    one = SegmentTokenizer()
    whole = one.feed(data) + one.finish()
    many = SegmentTokenizer()
    pieces = []
    for piece in cuts(data, points):
        pieces += many.feed(piece)
    assert pieces + many.finish() == whole
    # Regenerating the segments gives back the interchange byte for byte (layout aside).
    delimiters = whole[0].delimiters
    start = data.index(b"ISA")
    compact = data[start:].replace(b"\r\n", b"").replace(b"\n", b"")
    if delimiters.segment not in b"\r\n":
        assert render_segments(whole, delimiters) == compact
