"""Guides as data: they compile, route by ST01 with ST03 or GS08, and errata map to families."""

from __future__ import annotations

import pytest

from edimesh.validation import supported
from edimesh.validation.spec.format import SpecError, parse_elements, seg
from edimesh.validation.spec.routing import family_of, load_guides, route

from . import samples
from .helpers import validate


def test_all_seven_guides_compile() -> None:
    assert supported() == [
        ("270", "005010X279A1", "270"), ("271", "005010X279A1", "271"),
        ("835", "005010X221A1", "835"), ("837", "005010X222A1", "837P"),
        ("837", "005010X223A2", "837I"), ("837", "005010X224A2", "837D"),
        ("999", "005010X231A1", "999"),
    ]
    assert len(load_guides()) == 7


@pytest.mark.parametrize(("st01", "st03", "gs08", "kind"), [
    ("837", "005010X222A1", "", "837P"),
    ("837", "", "005010X222A2", "837P"),
    ("837", "005010X223A3", "005010X223A3", "837I"),
    ("837", "005010X224A3", "", "837D"),
    ("835", "", "005010X221A1", "835"),
    ("270", "005010X279A1", "", "270"),
    ("271", "", "005010X279A1", "271"),
])
def test_routing(st01: str, st03: str, gs08: str, kind: str) -> None:
    guide = route(st01, st03, gs08)
    assert guide is not None
    assert guide.guide.kind == kind


@pytest.mark.parametrize(("st01", "version"), [
    ("837", "004010X098A1"), ("834", "005010X220A1"), ("835", "005010X222A1"), ("837", ""),
])
def test_unsupported_guides_route_nowhere(st01: str, version: str) -> None:
    assert route(st01, version, version) is None


def test_unsupported_guide_is_an_ik5_i6_finding() -> None:
    segments = ["ST*834*0001*005010X220A1", "BGN*00*1*20240101*1200****2", "SE*3*0001"]
    result = validate(segments)
    (finding,) = result.findings
    assert (finding.rule, finding.ik502, finding.segment_id) == (
        "snip2.unsupported_guide", "I6", "ST")
    assert result.ack_code == "R"
    assert result.ik502 == ("I6",)
    assert result.content is None


def test_family_of() -> None:
    assert family_of("005010X222A2") == "X222"
    assert family_of(" 005010X279A1 ") == "X279"
    assert family_of("004010X098A1") is None


def test_bad_spec_data_is_caught_at_load() -> None:
    with pytest.raises(SpecError):
        parse_elements("R:41 Q")
    with pytest.raises(SpecError):
        seg("NM1", "X", 1, "", "R")


def test_st03_not_in_family_is_a_code_value_finding() -> None:
    segments = list(samples.INQUIRY_270)
    segments[0] = "ST*270*1234*005010X279"
    result = validate(segments, gs08="005010X279A1")
    assert [f.rule for f in result.findings if f.is_error] == []
