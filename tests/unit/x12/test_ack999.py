"""The 999 builder: envelope, loops, codes, counts, truncation, cleaning, determinism."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from edimesh.x12 import ack999
from edimesh.x12.ack999 import ElementNote, GroupAck, SegmentNote, SetAck, build_999
from tests.unit.acknowledger.pipeline import check_999, segments_of

WHEN = dt.datetime(2024, 7, 1, 8, 9, 10, tzinfo=dt.UTC)
CN = "000000123"


def group(*sets: SetAck, **changes: object) -> GroupAck:
    base = GroupAck(
        isa05="ZZ", isa06="SUBMITTER", isa07="30", isa08="PAYER", isa12="00501", isa15="T",
        gs01="HC", gs02="SUBAPP", gs03="PAYAPP", gs06="4711", gs08="005010X222A1",
        declared_count=len(sets), sets=sets, received_count=len(sets),
    )  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def accepted(st02: str = "0001", status: str = "A") -> SetAck:
    return SetAck("837", st02, "005010X222A1", status)


def rejected(st02: str = "0002", *segments: SegmentNote) -> SetAck:
    return SetAck("837", st02, None, "R", ("5",), segments)


def segs(g: GroupAck) -> list[list[str]]:
    ack = build_999(g, control_number=CN, when=WHEN)
    check_999(ack.text, timed_out=g.timed_out)
    return segments_of(ack.text)


def find(g: GroupAck, segment_id: str) -> list[list[str]]:
    return [s for s in segs(g) if s[0] == segment_id]


def test_envelope_swaps_sender_and_receiver_and_uses_the_999_delimiters() -> None:
    isa, gs, st, ak1 = segs(group(accepted()))[:4]
    assert isa[5:9] == ["30", "PAYER".ljust(15), "ZZ", "SUBMITTER".ljust(15)]
    assert isa[9:17] == ["240701", "0809", "^", "00501", CN, "0", "T", ":"]
    assert gs == ["GS", "FA", "PAYAPP", "SUBAPP", "20240701", "0809", "123", "X", "005010X231A1"]
    assert st == ["ST", "999", "0001", "005010X231A1"]
    assert ak1 == ["AK1", "HC", "4711", "005010X222A1"]


def test_usage_indicator_is_echoed_and_defaults_to_production() -> None:
    assert segs(group(accepted(), isa15="P"))[0][15] == "P"
    assert segs(group(accepted(), isa15="X"))[0][15] == "P"


def test_ak203_falls_back_to_gs08_when_st03_is_absent() -> None:
    ak2 = find(group(accepted("0001"), rejected("0002")), "AK2")
    assert ak2 == [["AK2", "837", "0001", "005010X222A1"], ["AK2", "837", "0002", "005010X222A1"]]
    other = find(group(SetAck("837", "0007", None, "A"), gs08="005010X223A2"), "AK2")
    assert other == [["AK2", "837", "0007", "005010X223A2"]]


def test_segment_and_element_notes_with_business_unit_context() -> None:
    note = SegmentNote("SV1", 23, "2400", "8", ("CLM01", "PCN-17"), (
        ElementNote(3, None, None, 355, "7"),
        ElementNote(1, 2, None, 235, "7", copy="ZZ"),
        ElementNote(7, None, 2, None, "5"),
    ))  # fmt: skip
    body = segs(group(rejected("0002", note)))[4:-3]
    assert body == [
        ["AK2", "837", "0002", "005010X222A1"],
        ["IK3", "SV1", "23", "2400", "8"],
        ["CTX", "CLM01:PCN-17"],
        ["IK4", "3", "355", "7"],  # no IK404 without a copy
        ["IK4", "1:2", "235", "7", "ZZ"],
        ["IK4", "7::2", "", "5"],
        ["IK5", "R", "5"],
        ["AK9", "R", "1", "1", "0"],
    ]


def test_a_segment_note_outside_a_loop_and_without_business_unit() -> None:
    body = find(group(rejected("0002", SegmentNote("ZZZ", 3, None, "1"))), "IK3")
    assert body == [["IK3", "ZZZ", "3", "", "1"]]
    assert find(group(rejected("0002", SegmentNote("ZZZ", 3, None, "1"))), "CTX") == []


def test_echoed_values_lose_delimiter_characters() -> None:
    note = SegmentNote("CLM", 20, "2300", "8", ("CLM01", "A*B:C^D~E"), (
        ElementNote(1, None, None, 1028, "6", copy="x*y"),))  # fmt: skip
    g = group(SetAck("837", "000*1", "0050:10", "R", ("5",), (note,)), isa06="SUB*MIT",
              gs02="S~A", gs06="47^11")  # fmt: skip
    out = segs(g)
    assert out[0][8] == "SUBMIT".ljust(15)
    assert out[1][3] == "SA"
    assert out[3] == ["AK1", "HC", "4711", "005010X222A1"]
    assert ["AK2", "837", "0001", "005010"] in out
    assert ["CTX", "CLM01:ABCDE"] in out
    assert ["IK4", "1", "1028", "6", "xy"] in out


def test_business_unit_is_cut_to_35_characters_and_dropped_when_empty() -> None:
    long = SegmentNote("CLM", 20, "2300", "8", ("CLM01", "9" * 40))
    assert find(group(rejected("0002", long)), "CTX") == [["CTX", "CLM01:" + "9" * 35]]
    empty = SegmentNote("CLM", 20, "2300", "8", ("CLM01", "*:"))
    assert find(group(rejected("0002", empty)), "CTX") == []


def test_repeats_are_truncated_to_the_limits() -> None:
    many_elements = tuple(ElementNote(i, None, None, None, "7") for i in range(1, 150))
    notes = tuple(SegmentNote("NTE", i, "2300", "8", None, many_elements if i == 2 else ())
                  for i in range(2, ack999.MAX_IK3 + 50))  # fmt: skip
    codes = ("1", "2", "3", "4", "5", "6", "7")
    g = group(SetAck("837", "0001", None, "R", codes, notes), ak905=codes)
    out = segs(g)
    assert sum(1 for s in out if s[0] == "IK3") == ack999.MAX_IK3
    assert sum(1 for s in out if s[0] == "IK4") == ack999.MAX_IK4
    assert next(s for s in out if s[0] == "IK5") == ["IK5", "R", "1", "2", "3", "4", "5"]
    assert next(s for s in out if s[0] == "AK9") == ["AK9", "R", "1", "1", "0", *codes[:5]]


@pytest.mark.parametrize(
    ("sets", "changes", "ak9"),
    [
        ((accepted("0001"), accepted("0002")), {}, ["A", "2", "2", "2"]),
        ((accepted("0001"), accepted("0002", "E")), {}, ["E", "2", "2", "2"]),
        ((accepted("0001"),), {"ak905": ("5",), "declared_count": 2}, ["E", "2", "1", "1", "5"]),
        ((accepted("0001"), rejected("0002")), {}, ["P", "2", "2", "1"]),
        ((rejected("0001"), rejected("0002")), {}, ["R", "2", "2", "0"]),
        # a set the splitter did not emit: received, never accepted
        ((accepted("0001"),), {"received_count": 2, "declared_count": 2}, ["P", "2", "2", "1"]),
        # GE missing: AK902 is the count received
        ((accepted("0001"),), {"declared_count": None, "ak905": ("3",)}, ["E", "1", "1", "1", "3"]),
        # timed out: never A, even when every result that came was accepted
        (
            (accepted("0001"),),
            {"timed_out": True, "received_count": 3, "declared_count": 3},
            ["P", "3", "3", "1"],
        ),
        ((), {"timed_out": True, "received_count": 2, "declared_count": 2}, ["R", "2", "2", "0"]),
        ((), {}, ["A", "0", "0", "0"]),
    ],
)
def test_ak9_status_and_counts(
    sets: tuple[SetAck, ...], changes: dict[str, object], ak9: list[str]
) -> None:
    g = group(*sets, **changes)
    assert find(g, "AK9") == [["AK9", *ak9]]
    ack = build_999(g, control_number=CN, when=WHEN)
    assert (ack.status, ack.accepted_count, ack.control_number) == (ak9[0], int(ak9[3]), CN)


def test_se_counts_st_to_se() -> None:
    note = SegmentNote("CLM", 20, "2300", "8", ("CLM01", "X"), (ElementNote(1, None, None, None,
                                                                            "6"),))  # fmt: skip
    out = segs(group(accepted("0001"), rejected("0002", note, note)))
    st, se = [s[0] for s in out].index("ST"), [s[0] for s in out].index("SE")
    assert out[se] == ["SE", str(se - st + 1), "0001"]
    assert se - st + 1 == 14  # ST AK1 AK2 IK5 AK2 (IK3 CTX IK4)x2 IK5 AK9 SE


def test_same_input_same_bytes_and_only_the_arguments_vary_the_envelope() -> None:
    g = group(accepted("0001"), rejected("0002", SegmentNote("NM1", 5, "2010AA", "8")))
    one = build_999(g, control_number=CN, when=WHEN)
    assert build_999(g, control_number=CN, when=WHEN) == one
    other = build_999(g, control_number="000000124", when=WHEN + dt.timedelta(days=1))
    body = one.text[one.text.index("ST*") : one.text.index("GE*")]
    assert body in other.text
    assert other.text != one.text


@pytest.mark.parametrize("control_number", ["123", "00000012A", "000000000", "1234567890"])
def test_control_number_must_be_nine_digits(control_number: str) -> None:
    with pytest.raises(ValueError, match="nine digits"):
        build_999(group(accepted()), control_number=control_number, when=WHEN)
