"""Delimiter detection: read from the ISA, never assumed."""

from __future__ import annotations

from typing import Any

import pytest

from edimesh.x12.delimiters import (
    DelimiterError,
    Delimiters,
    check_delimiters,
    is_isa_start,
    read_isa,
)

from .helpers import isa


def test_default_delimiters_are_read_from_the_isa() -> None:
    data = isa().encode()
    assert len(data) == 106
    read = read_isa(data, 0)
    assert read is not None
    assert read.delimiters == Delimiters(b"*", b":", b"^", b"~")
    assert read.end == 106
    assert read.elements[12] == "000000001"
    assert len(read.elements) == 16


def test_non_default_delimiters() -> None:
    data = isa(el="|", comp=">", rep="!", term="\x1c").encode()
    read = read_isa(data, 0)
    assert read is not None
    assert read.delimiters == Delimiters(b"|", b">", b"!", b"\x1c")


def test_an_isa_that_is_not_106_bytes_is_counted_not_measured() -> None:
    data = isa(padded=False).encode()
    assert len(data) < 106
    read = read_isa(data, 0)
    assert read is not None
    assert read.delimiters.segment == b"~"
    assert read.end == len(data)


def test_newline_as_the_segment_terminator() -> None:
    read = read_isa(isa(term="\n").encode(), 0)
    assert read is not None
    assert read.delimiters.segment == b"\n"


def test_repetition_separator_only_from_00501() -> None:
    old = read_isa(isa(rep="U", version="00401").encode(), 0)
    assert old is not None
    assert old.delimiters.repetition is None
    assert not old.repetition_ignored


def test_letter_in_isa11_of_00501_is_tolerated_without_repetitions() -> None:
    read = read_isa(isa(rep="U").encode(), 0)
    assert read is not None
    assert read.delimiters.repetition is None
    assert read.repetition_ignored


def test_incomplete_isa_needs_more_bytes() -> None:
    data = isa().encode()
    assert read_isa(data[:50], 0) is None
    assert read_isa(data[:105], 0) is None


@pytest.mark.parametrize(
    ("kw", "code", "fragment"),
    [
        ({"comp": "*"}, "027", "component separator is the same byte as the element separator"),
        ({"term": "*"}, "004", "segment terminator is the same byte as the element separator"),
        ({"rep": ":"}, "026", "repetition separator is the same byte as the component"),
        ({"comp": "A"}, "027", "component separator must be one non-alphanumeric"),
        ({"term": "Z"}, "004", "segment terminator must be one non-alphanumeric"),
    ],
)
def test_colliding_delimiters_are_rejected_precisely(
    kw: dict[str, Any], code: str, fragment: str
) -> None:
    with pytest.raises(DelimiterError) as caught:
        read_isa(isa(**kw).encode(), 0)
    assert caught.value.ta1_code == code
    assert fragment in str(caught.value)


def test_alphanumeric_element_separator_is_not_an_isa() -> None:
    assert not is_isa_start(b"ISABEL*", 0)
    assert not is_isa_start(b"ISA *", 0)
    assert is_isa_start(b"ISA*00", 0)


def test_check_delimiters_rejects_space() -> None:
    with pytest.raises(DelimiterError):
        check_delimiters(Delimiters(b" ", b":", None, b"~"))
