"""Each envelope check, broken alone: the right kind, code and location, and good sets flow."""

from __future__ import annotations

import pytest

from edimesh.x12.problems import Level, Severity

from .helpers import all_problems, groups, interchange, interchanges, kinds, parse, units

BODY = ["BHT*0019*00*1*20240101*1200*CH", "NM1*41*2*SUBMITTER*****46*1"]


def good(n: int = 3) -> bytes:
    return interchange([(f"{i:04d}", BODY) for i in range(1, n + 1)])


def test_a_clean_interchange_has_no_problems() -> None:
    events = parse(good())
    assert all_problems(events) == []
    sets = units(events)
    assert [u.st02 for u in sets] == ["0001", "0002", "0003"]
    assert all(u.segment_count == 4 for u in sets)
    assert sets[0].idempotency_key == "SENDER|RECEIVER|000000001|1|0001"
    assert sets[0].st01 == "837"
    assert sets[0].st03 == "005010X222A1"
    assert sets[0].gs08 == "005010X222A1"
    assert groups(events)[0].declared_set_count == 3
    ic = interchanges(events)[0]
    assert ic.accepted
    assert ic.ta1_code == "000"


def test_set_raw_bytes_and_byte_range() -> None:
    data = good(2)
    for u in units(parse(data)):
        assert u.raw == data[u.start : u.end]
        assert u.raw is not None
        assert u.raw.startswith(b"ST*837*")
        assert u.raw.endswith(b"~")


def one(data: bytes, kind: str) -> tuple[list[str], object]:
    events = parse(data)
    found = [p for p in all_problems(events) if p.kind == kind]
    assert len(found) == 1, kinds(events)
    return kinds(events), found[0]


def test_se01_count() -> None:
    data = good().replace(b"SE*4*0002", b"SE*5*0002")
    events = parse(data)
    bad = [u for u in units(events) if u.problems]
    assert [u.st02 for u in bad] == ["0002"]
    problem = bad[0].problems[0]
    assert (problem.kind, problem.level, problem.code) == ("se01_count", Level.SET, "4")
    assert problem.location.transaction_set == 2
    assert problem.location.segment_id == "SE"
    assert problem.location.byte_offset == data.index(b"SE*5*0002")
    assert problem.location.segment_position == 10  # ISA GS ST.. ST BHT NM1 SE
    assert len(units(events)) == 3  # the good sets still flow


def test_se02_mismatch() -> None:
    _, problem = one(good().replace(b"SE*4*0002", b"SE*4*0009"), "se02_mismatch")
    assert problem.code == "3"  # type: ignore[attr-defined]


def test_duplicate_st02_in_a_group() -> None:
    data = interchange([("0001", BODY), ("0001", BODY)])
    _, problem = one(data, "st02_duplicate")
    assert problem.code == "23"  # type: ignore[attr-defined]
    assert problem.location.transaction_set == 2  # type: ignore[attr-defined]


def test_missing_se_closes_the_set_at_the_next_st() -> None:
    data = good().replace(b"SE*4*0002~", b"")
    events = parse(data)
    sets = units(events)
    assert [u.st02 for u in sets] == ["0001", "0002", "0003"]
    broken = sets[1]
    assert [p.kind for p in broken.problems] == ["se_missing"]
    assert broken.problems[0].code == "2"
    assert broken.raw is not None
    assert broken.raw.endswith(b"NM1*41*2*SUBMITTER*****46*1~")
    assert sets[2].problems == ()


def test_ge01_and_ge02() -> None:
    events = parse(good().replace(b"GE*3*1", b"GE*2*7"))
    problems = {p.kind: p for p in all_problems(events)}
    assert problems["ge01_count"].code == "5"
    assert problems["ge02_mismatch"].code == "4"
    assert problems["ge01_count"].level is Level.GROUP
    assert not groups(events)[0].accepted


def test_iea01_and_iea02() -> None:
    events = parse(good().replace(b"IEA*1*000000001", b"IEA*2*000000002"))
    problems = {p.kind: p for p in all_problems(events)}
    assert problems["iea01_count"].code == "021"
    assert problems["iea02_mismatch"].code == "001"
    assert interchanges(events)[0].ta1_code == "021"


def test_missing_ge_and_iea_at_end_of_file() -> None:
    data = good()
    data = data[: data.index(b"GE*")]
    events = parse(data)
    assert kinds(events) == ["ge_missing", "iea_missing"]
    assert interchanges(events)[0].ta1_code == "023"
    assert len(units(events)) == 3


def test_truncated_inside_a_set() -> None:
    data = good()
    data = data[: data.index(b"SE*4*0003")]
    events = parse(data)
    assert kinds(events) == ["se_missing", "ge_missing", "iea_missing"]
    last = units(events)[-1]
    assert last.st02 == "0003"
    assert last.segment_count == 3


@pytest.mark.parametrize(
    ("kw", "kind", "code"),
    [
        ({"date": "241340"}, "isa09_date", "014"),
        ({"time": "2561"}, "isa10_time", "015"),
        ({"usage": "X"}, "isa15_value", "020"),
        ({"ack": "2"}, "isa14_value", "019"),
    ],
)
def test_isa_field_syntax(kw: dict[str, str], kind: str, code: str) -> None:
    events = parse(interchange([("0001", BODY)], **kw))
    problem = next(p for p in all_problems(events) if p.kind == kind)
    assert problem.code == code
    assert problem.level is Level.INTERCHANGE
    assert problem.location.segment_id == "ISA"
    assert len(units(events)) == 1  # a sound set still flows


def test_isa13_must_be_nine_digits() -> None:
    data = interchange([("0001", BODY)], control="00000001A")
    assert "isa13_syntax" in kinds(parse(data))


def test_gs08_missing() -> None:
    data = good().replace(b"*X*005010X222A1~ST", b"*X~ST", 1)
    events = parse(data)
    problem = next(p for p in all_problems(events) if p.kind == "gs08_missing")
    assert problem.code == "2"
    assert problem.level is Level.GROUP


def test_segments_outside_any_set() -> None:
    data = good().replace(b"SE*4*0001~", b"SE*4*0001~NTE*ADD*STRAY~")
    events = parse(data)
    problem = next(p for p in all_problems(events) if p.kind == "segments_outside_envelope")
    assert problem.code == "022"
    assert problem.location.byte_offset == data.index(b"NTE*ADD")


def test_segments_after_the_iea_are_outside_any_interchange() -> None:
    events = parse(good() + b"NTE*ADD*STRAY~")
    problem = next(p for p in all_problems(events) if p.kind == "segments_outside_interchange")
    assert problem.severity is Severity.ERROR
    assert problem.level is Level.FILE


def test_st_outside_a_group() -> None:
    data = good().replace(b"GE*3*1~", b"GE*3*1~ST*837*0009~SE*2*0009~")
    events = parse(data)
    assert "set_outside_group" in kinds(events)
    assert len(units(events)) == 3  # the orphan set is not emitted


def test_problems_carry_no_element_values() -> None:
    data = interchange([("0001", BODY)], date="241340").replace(b"SE*4*0001", b"SE*9*SECRET")
    for problem in all_problems(parse(data)):
        assert "SECRET" not in problem.message
        assert "241340" not in problem.message
        assert "SENDER" not in problem.message
