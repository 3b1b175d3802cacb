"""Helpers the extractors share: typed values from element strings, parties, references.

They never raise on bad input: a value that does not convert becomes None (or zero for a
required amount). A set with such values has SNIP 1 findings and is not routed as valid,
so its content is best effort by design.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from edimesh.validation.models.base import Party, Reference
from edimesh.validation.models.construct import trusted
from edimesh.validation.tree import Loop, el

_ZERO: Final = Decimal(0)
_DATES: Final[dict[str, date | None]] = {}
_DATES_MAX: Final = 100_000  # distinct dates are few in any file; bound the memo all the same
_AMOUNTS: Final[dict[str, Decimal]] = {}  # Decimal is immutable: one instance can serve every set
_AMOUNTS_MAX: Final = 100_000


def to_date(value: str) -> date | None:
    """CCYYMMDD to a date (the first date of a range), None when it is not one."""
    got = _DATES.get(value)
    if got is not None or value in _DATES:
        return got
    try:
        result: date | None = date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        result = None
    if len(_DATES) < _DATES_MAX:
        _DATES[value] = result
    return result


def date_range(fmt: str, value: str) -> tuple[date | None, date | None]:
    if fmt == "RD8" and "-" in value:
        start, _, end = value.partition("-")
        return to_date(start), to_date(end)
    d = to_date(value)
    return d, None


def opt_money(value: str) -> Decimal | None:
    """An amount, None when empty or not a number. Memoized: charges repeat (fee schedules)."""
    got = _AMOUNTS.get(value)
    if got is not None or not value:
        return got
    try:
        got = Decimal(value)
    except InvalidOperation:
        return None
    if len(_AMOUNTS) < _AMOUNTS_MAX:
        _AMOUNTS[value] = got
    return got


def money(value: str) -> Decimal:
    """A required amount: zero when empty or not a number."""
    got = opt_money(value)
    return _ZERO if got is None else got


def opt(value: str) -> str | None:
    return value or None


PAD: Final = [""] * 24  # appended to a segment's elements so that any position can be indexed


def party(nm1: list[str] | None, loop: Loop | None = None) -> Party:
    """A party from NM1 elements, with N3/N4 of `loop` when it has them."""
    lines: tuple[str, ...] = ()
    city = state = postal = country = None
    if loop is not None:
        for _, els, _ in loop.segs:
            seg_id = els[0]
            if seg_id == "N3":
                lines = tuple([v for v in els[1:3] if v])
            elif seg_id == "N4":
                e = els if len(els) > 4 else els + PAD
                city, state, postal, country = e[1] or None, e[2] or None, e[3] or None, (
                    e[4] or None)
    e = PAD if nm1 is None else nm1 if len(nm1) > 9 else nm1 + PAD
    return trusted(Party, {
        "entity": e[2] or None,
        "name": e[3],
        "first_name": e[4] or None,
        "middle_name": e[5] or None,
        "suffix": e[7] or None,
        "id_qualifier": e[8] or None,
        "id": e[9] or None,
        "address_lines": lines,
        "city": city,
        "state": state,
        "postal_code": postal,
        "country": country,
    })


def n1_party(n1: list[str] | None, loop: Loop) -> Party:
    """A party from N1 (835): name, id qualifier and id, and N3/N4 of its loop."""
    p = party(None, loop)
    values = dict(p.__dict__)
    values.update(name=el(n1, 2), id_qualifier=opt(el(n1, 3)), id=opt(el(n1, 4)))
    return trusted(Party, values)


_PAYERS: Final[dict[tuple[str, ...], Party]] = {}


def loop_party(loop: Loop | None) -> Party | None:
    """The party a name loop (2010AA, 2310B, ...) starts with."""
    if loop is None:
        return None
    segs = loop.segs
    nm1 = segs[0][1]
    if len(segs) > 1:
        return party(nm1, loop)
    if len(nm1) > 2 and nm1[1] == "PR" and nm1[2] == "2":
        # A payer named by NM1 alone: the same few on every claim, so share the frozen model.
        # Payers only: no subscriber's or patient's name or id is kept past its set.
        key = tuple(nm1)
        got = _PAYERS.get(key)
        if got is None:
            got = party(nm1)
            if len(_PAYERS) < 4096:
                _PAYERS[key] = got
        return got
    return party(nm1)


def reference(els: list[str]) -> Reference:
    return trusted(Reference, {"qualifier": el(els, 1), "value": el(els, 2)})
