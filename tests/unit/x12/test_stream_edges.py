"""Edge cases of the stream, each on its own."""

from __future__ import annotations

import hashlib

import pytest

from edimesh.x12.events import StreamEnd, TransactionSetUnit
from edimesh.x12.problems import Severity
from edimesh.x12.stream import X12Stream
from edimesh.x12.synth import SynthOptions, generate_837p

from .helpers import all_problems, interchange, interchanges, kinds, parse, units

BODY = ["BHT*0019*00*1*20240101*1200*CH"]


def test_utf8_bom_is_skipped_silently() -> None:
    events = parse(b"\xef\xbb\xbf" + interchange())
    assert all_problems(events) == []
    assert len(units(events)) == 1


def test_text_before_the_isa_is_skipped_with_a_warning() -> None:
    data = b"From: partner gateway\r\nSubject: claims\r\n\r\n" + interchange()
    events = parse(data)
    problems = all_problems(events)
    assert [p.kind for p in problems] == ["not_x12"]
    assert problems[0].severity is Severity.WARNING
    assert problems[0].location.byte_offset == 0
    assert units(events)[0].start == data.index(b"ST*")


def test_isa_shorter_than_106_bytes() -> None:
    events = parse(interchange(padded=False))
    assert all_problems(events) == []
    assert units(events)[0].interchange.sender_id == "SENDER"


def test_newline_as_terminator() -> None:
    data = interchange(term="\n")
    assert b"~" not in data
    events = parse(data)
    assert all_problems(events) == []
    assert units(events)[0].segment_count == 3


@pytest.mark.parametrize("layout", ["\n", "\r\n", "  ", "\r\n\r\n"])
def test_layout_after_terminators(layout: str) -> None:
    data = interchange([("0001", BODY), ("0002", BODY)], layout=layout)
    events = parse(data)
    assert all_problems(events) == []
    sets = units(events)
    assert [u.segment_count for u in sets] == [3, 3]
    assert sets[0].raw is not None
    assert sets[0].raw.endswith(b"SE*3*0001~")


def test_several_interchanges_with_different_delimiters() -> None:
    first = interchange(control="000000001")
    second = interchange(control="000000002", el="|", term="\n", comp=">", rep="!")
    third = interchange(control="000000003", el="^", term="'", comp="+", rep="\\")
    events = parse(first + b"\n" + second + third)
    assert all_problems(events) == []
    sets = units(events)
    assert [u.delimiters.element for u in sets] == [b"*", b"|", b"^"]
    assert [u.interchange.control_number for u in sets] == ["000000001", "000000002",
                                                           "000000003"]


def test_a_new_isa_before_the_iea_ends_the_interchange() -> None:
    first = interchange(control="000000001")
    first = first[: first.index(b"IEA")]
    events = parse(first + interchange(control="000000002"))
    assert kinds(events) == ["iea_missing"]
    assert [i.ta1_code for i in interchanges(events)] == ["023", "000"]
    assert len(units(events)) == 2


def test_truncated_file() -> None:
    data = interchange([("0001", BODY), ("0002", BODY)])
    events = parse(data[: len(data) // 2])
    assert "iea_missing" in kinds(events)


def test_truncated_inside_the_isa() -> None:
    events = parse(interchange()[:60])
    assert kinds(events) == ["isa_truncated"]


def test_empty_file() -> None:
    events = parse(b"")
    assert kinds(events) == ["empty_input"]
    end = events[-1]
    assert isinstance(end, StreamEnd)
    assert end.bytes_read == 0


def test_file_without_isa() -> None:
    events = parse(b"GS*HC*S*R*20240101*1200*1*X*005010X222A1~ST*837*0001~SE*2*0001~")
    assert kinds(events) == ["not_x12", "no_isa"]


def test_binary_garbage() -> None:
    garbage = bytes((i * 7919 + 13) % 256 for i in range(200_000))
    events = parse(garbage, chunk=4096)
    assert "no_isa" in kinds(events)
    assert units(events) == []


def test_rejected_isa_does_not_stop_the_next_interchange() -> None:
    bad = interchange(control="000000001", comp="*")
    events = parse(bad + interchange(control="000000002"))
    summaries = interchanges(events)
    assert summaries[0].header is None
    assert summaries[0].ta1_code == "027"
    assert [u.interchange.control_number for u in units(events)] == ["000000002"]


def test_last_segment_without_terminator() -> None:
    data = interchange().rstrip(b"~")
    events = parse(data)
    assert kinds(events) == ["unterminated_segment"]
    assert interchanges(events)[0].accepted


def test_segment_over_the_limit_is_a_problem_not_an_out_of_memory() -> None:
    huge = "NTE*ADD*" + "X" * 5000
    data = interchange([("0001", [huge]), ("0002", BODY)])
    stream = X12Stream(max_segment_bytes=1024)
    events = []
    peak = 0
    for i in range(0, len(data), 256):
        events += stream.feed(data[i : i + 256])
        peak = max(peak, stream.buffered_bytes)
    events += stream.finish()
    assert "segment_too_long" in kinds(events)
    assert [u.st02 for u in units(events)] == ["0001", "0002"]
    assert units(events)[1].problems == ()
    assert peak < 2048


def test_a_set_over_the_memory_limit_goes_by_reference() -> None:
    body = [f"NTE*ADD*LINE {i:05d}" for i in range(2000)]
    data = interchange([("0001", body), ("0002", BODY)])
    for chunk in (None, 1000, 7):
        sets = units(parse(data, chunk=chunk, max_set_bytes=4096))
        big, small = sets
        assert big.raw is None
        assert big.reference is not None
        assert big.reference.sha256 == hashlib.sha256(data[big.start : big.end]).hexdigest()
        assert (big.reference.start, big.reference.end) == (big.start, big.end)
        assert small.raw == data[small.start : small.end]
        assert big.segment_count == 2002
        assert big.problems == ()


@pytest.mark.slow
def test_two_gigabytes_stream_in_bounded_memory() -> None:
    block = generate_837p(SynthOptions(claims=4000, claims_per_set=50))
    sets_per_block = len(units(parse(block)))
    repeats = (2 << 30) // len(block) + 1
    stream = X12Stream()
    chunk = 1 << 20
    peak = 0
    sets = 0
    problems = 0
    for _ in range(repeats):
        for i in range(0, len(block), chunk):
            for event in stream.feed(block[i : i + chunk]):
                problems += len(event.problems)
                sets += isinstance(event, TransactionSetUnit)
            peak = max(peak, stream.buffered_bytes)
    end = stream.finish()[-1]
    assert isinstance(end, StreamEnd)
    assert end.bytes_read == repeats * len(block) > 2 << 30
    assert sets == repeats * sets_per_block
    assert problems == 0
    assert peak < 4 * chunk
