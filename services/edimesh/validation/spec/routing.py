"""Which guide validates a set: ST01 with ST03, else GS08; errata ids map to their family.

Guides are built and compiled once, on first use (``load_guides``), then shared read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from edimesh.validation.guides import (
    x221_835,
    x222_837p,
    x223_837i,
    x224_837d,
    x231_999,
    x279_27x,
)
from edimesh.validation.spec.compiled import CompiledGuide, compile_guide
from edimesh.validation.spec.format import Guide

BUILDERS: tuple[Callable[[], Guide], ...] = (
    x222_837p.build,
    x223_837i.build,
    x224_837d.build,
    x221_835.build,
    x279_27x.build_270,
    x279_27x.build_271,
    x231_999.build,
)


@cache
def load_guides() -> dict[tuple[str, str], CompiledGuide]:
    """(ST01, guide family) -> compiled guide, e.g. ("837", "X222")."""
    table: dict[tuple[str, str], CompiledGuide] = {}
    for build in BUILDERS:
        compiled = compile_guide(build())
        table[(compiled.guide.st01, compiled.guide.family)] = compiled
    return table


def family_of(version: str) -> str | None:
    """``X222`` for 005010X222A1, 005010X222A2 or 005010X222; None for other versions."""
    v = version.strip()
    if len(v) >= 10 and v.startswith("005010") and v[6] == "X" and v[7:10].isdigit():
        return v[6:10]
    return None


def route(st01: str, st03: str, gs08: str) -> CompiledGuide | None:
    """The guide for a set, or None when no supported guide matches."""
    version = st03.strip() or gs08.strip()
    family = family_of(version)
    if family is None:
        return None
    return load_guides().get((st01.strip(), family))


def supported() -> list[tuple[str, str, str]]:
    """(ST01, guide id, content kind) of every supported guide."""
    return sorted((g.guide.st01, g.guide.id, g.guide.kind) for g in load_guides().values())
