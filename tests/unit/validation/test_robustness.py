"""Validation never raises, whatever is done to a set: findings, not crashes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from edimesh.validation import validate_set
from edimesh.x12.delimiters import DEFAULT_DELIMITERS

from . import samples
from .helpers import synth_segments

BASES = [synth_segments(seed=0), synth_segments(seed=11), samples.REMIT_835,
         samples.INSTITUTIONAL_837, samples.DENTAL_837, samples.INQUIRY_270,
         samples.RESPONSE_271]


@st.composite
def damaged(draw: st.DrawFn) -> list[str]:
    segments = list(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(segments) - 1))
        how = draw(st.sampled_from(["truncate", "drop", "duplicate", "garble", "swap"]))
        if how == "truncate":
            els = segments[i].split("*")
            segments[i] = "*".join(els[: draw(st.integers(1, max(1, len(els))))])
        elif how == "drop" and len(segments) > 2:
            del segments[i]
        elif how == "duplicate":
            segments.insert(i, segments[i])
        elif how == "garble":
            text = segments[i]
            k = draw(st.integers(0, len(text)))
            piece = draw(st.sampled_from(["*", ":", "^", "", "X", "-1"]))
            segments[i] = text[:k] + piece + text[k:]
        elif how == "swap":
            j = draw(st.integers(0, len(segments) - 1))
            segments[i], segments[j] = segments[j], segments[i]
    return segments


@settings(max_examples=300, deadline=None)
@given(damaged())
def test_never_raises(segments: list[str]) -> None:
    raw = ("~".join(segments) + "~").encode("latin-1")
    st_els = segments[0].split("*")
    st01 = st_els[1] if len(st_els) > 1 else ""
    st03 = st_els[3] if len(st_els) > 3 else ""
    fast, slow = (
        validate_set(raw, DEFAULT_DELIMITERS, st01=st01, st03=st03, gs08="005010X222A1",
                     fast=fast)
        for fast in (True, False)
    )
    assert fast.as_dict() == slow.as_dict()  # the fast path agrees on damaged sets too
    assert fast.content_json() == slow.content_json()
