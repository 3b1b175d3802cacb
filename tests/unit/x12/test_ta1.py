"""TA1 builder: the answer parses with our own core, swaps the parties, and is deterministic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from edimesh.x12.delimiters import Delimiters
from edimesh.x12.events import InterchangeHeader, InterchangeSummary, StreamEnd
from edimesh.x12.stream import X12Stream
from edimesh.x12.ta1 import Ta1Status, build_ta1, ta1_control_number

WHEN = datetime(2024, 3, 15, 9, 30, tzinfo=UTC)


STANDARD = Delimiters(b"*", b":", b"^", b"~")
E = Ta1Status.ACCEPTED_WITH_ERRORS


def _header(
    delimiters: Delimiters = STANDARD,
    version: str = "00501",
    isa13: str = "000000042",
    usage: str = "T",
) -> InterchangeHeader:
    elements = (
        "00", " " * 10, "00", " " * 10, "ZZ", "SUBMITTER".ljust(15), "30", "PAYER".ljust(15),
        "240315", "0930", (delimiters.repetition or b"U").decode(), version, isa13, "1", usage,
        delimiters.component.decode(),
    )  # fmt: skip
    return InterchangeHeader(elements, delimiters, 0)


def _parse(text: str) -> tuple[InterchangeSummary, StreamEnd]:
    stream = X12Stream()
    events = stream.feed(text.encode("latin-1")) + stream.finish()
    [summary] = [e for e in events if isinstance(e, InterchangeSummary)]
    end = events[-1]
    assert isinstance(end, StreamEnd)
    return summary, end


def test_ta1_parses_cleanly_and_answers_the_interchange() -> None:
    ta1 = build_ta1(_header(), note_code="025", status=Ta1Status.REJECTED,
                    control_number="123456789", when=WHEN)  # fmt: skip
    summary, end = _parse(ta1.text)
    assert summary.accepted, summary.problems
    assert not end.problems
    assert summary.header is not None
    assert summary.header.sender_id == "PAYER"  # parties swapped
    assert summary.header.receiver_id == "SUBMITTER"
    assert summary.header.sender_qualifier == "30"
    assert summary.header.control_number == "123456789"
    assert summary.header.ack_requested == "0"
    assert summary.header.usage == "T"
    assert summary.group_count == 0
    assert "~TA1*000000042*240315*0930*R*025~" in ta1.text
    assert ta1.text.endswith("IEA*0*123456789~")
    assert ta1.text.index("*", 0) == 3
    assert len(ta1.text.split("~")[0]) == 105


def test_ta1_keeps_the_original_delimiters() -> None:
    delims = Delimiters(b"|", b">", None, b"\n")
    ta1 = build_ta1(_header(delims, version="00401"), note_code="001",
                    status=E, control_number="000000007", when=WHEN)  # fmt: skip
    assert "\nTA1|000000042|240315|0930|E|001\n" in ta1.text
    summary, _ = _parse(ta1.text)
    assert summary.accepted
    assert summary.header is not None
    assert summary.header.delimiters.element == b"|"
    assert summary.header.elements[10] == "U"  # no repetition separator before 00501


def test_a_00501_answer_without_an_original_repetition_separator_picks_a_free_one() -> None:
    delims = Delimiters(b"*", b":", None, b"~")
    ta1 = build_ta1(_header(delims), note_code="001", status=Ta1Status.ACCEPTED_WITH_ERRORS,
                    control_number="000000007", when=WHEN)  # fmt: skip
    summary, _ = _parse(ta1.text)
    assert summary.accepted
    assert summary.header is not None
    assert summary.header.delimiters.repetition == b"^"


def test_echoed_values_never_carry_a_delimiter() -> None:
    ta1 = build_ta1(_header(isa13="12~45*789"), note_code="018",
                    status=E, control_number="000000001", when=WHEN)  # fmt: skip
    assert "TA1*1245789*" in ta1.text
    summary, end = _parse(ta1.text)
    assert summary.accepted
    assert not end.problems


def test_a_bad_original_version_and_usage_fall_back_to_defaults() -> None:
    ta1 = build_ta1(_header(version="5X1", usage="X"), note_code="017",
                    status=E, control_number="000000001", when=WHEN)  # fmt: skip
    summary, _ = _parse(ta1.text)
    assert summary.accepted
    assert summary.header is not None
    assert summary.header.version == "00501"
    assert summary.header.usage == "P"


def test_control_numbers_are_nine_digits_and_deterministic() -> None:
    numbers = {ta1_control_number(f"file:{i}") for i in range(2000)}
    assert len(numbers) == 2000
    assert all(len(n) == 9 and n.isdigit() and n != "000000000" for n in numbers)
    assert ta1_control_number("file:1") == ta1_control_number("file:1")


def test_the_same_inputs_build_the_same_bytes() -> None:
    def build() -> str:
        return build_ta1(_header(), note_code="023", status=Ta1Status.ACCEPTED_WITH_ERRORS,
                         control_number=ta1_control_number("x:1"), when=WHEN).text  # fmt: skip

    assert build() == build()


@pytest.mark.parametrize(("note", "number"), [("25", "000000001"), ("025", "12345")])
def test_malformed_codes_are_refused(note: str, number: str) -> None:
    with pytest.raises(ValueError, match="digits"):
        build_ta1(_header(), note_code=note, status=Ta1Status.REJECTED,
                  control_number=number, when=WHEN)  # fmt: skip
