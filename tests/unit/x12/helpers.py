"""Small builders for X12 test inputs, and a one-shot parse helper."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from edimesh.x12.events import Event, GroupSummary, InterchangeSummary, TransactionSetUnit
from edimesh.x12.problems import Problem
from edimesh.x12.stream import X12Stream


def isa(
    control: str = "000000001",
    *,
    el: str = "*",
    comp: str = ":",
    rep: str = "^",
    term: str = "~",
    version: str = "00501",
    date: str = "240101",
    time: str = "1200",
    usage: str = "P",
    ack: str = "0",
    padded: bool = True,
) -> str:
    sender, receiver = ("SENDER", "RECEIVER")
    if padded:
        sender, receiver = sender.ljust(15), receiver.ljust(15)
    auth = " " * 10 if padded else ""
    fields = ["ISA", "00", auth, "00", auth, "ZZ", sender, "ZZ", receiver, date, time, rep,
              version, control, ack, usage, comp]
    return el.join(fields) + term


def interchange(
    sets: Iterable[tuple[str, list[str]]] = (("0001", ["BHT*0019*00*1*20240101*1200*CH"]),),
    *,
    control: str = "000000001",
    group_control: str = "1",
    el: str = "*",
    term: str = "~",
    layout: str = "",
    **isa_kw: Any,
) -> bytes:
    """One ISA, one GS, the given (ST02, body segments) sets, GE and IEA, all counts right.

    Body segments are written with `*`; they are converted to `el`.
    """
    t = term + layout
    parts = [isa(control, el=el, term=term, **isa_kw) + layout]
    parts.append(el.join(["GS", "HC", "S", "R", "20240101", "1200", group_control, "X",
                          "005010X222A1"]) + t)
    count = 0
    for st02, body in sets:
        count += 1
        parts.append(el.join(["ST", "837", st02, "005010X222A1"]) + t)
        parts.extend(seg.replace("*", el) + t for seg in body)
        parts.append(el.join(["SE", str(len(body) + 2), st02]) + t)
    parts.append(el.join(["GE", str(count), group_control]) + t)
    parts.append(el.join(["IEA", "1", control]) + t)
    return "".join(parts).encode("latin-1")


def parse(data: bytes, chunk: int | None = None, **kw: int) -> list[Event]:
    stream = X12Stream(**kw)
    events: list[Event] = []
    if chunk is None:
        events += stream.feed(data)
    else:
        for i in range(0, len(data), chunk):
            events += stream.feed(data[i : i + chunk])
    events += stream.finish()
    return events


def units(events: list[Event]) -> list[TransactionSetUnit]:
    return [e for e in events if isinstance(e, TransactionSetUnit)]


def groups(events: list[Event]) -> list[GroupSummary]:
    return [e for e in events if isinstance(e, GroupSummary)]


def interchanges(events: list[Event]) -> list[InterchangeSummary]:
    return [e for e in events if isinstance(e, InterchangeSummary)]


def all_problems(events: list[Event]) -> list[Problem]:
    return [p for e in events for p in e.problems]


def kinds(events: list[Event]) -> list[str]:
    return [p.kind for p in all_problems(events)]
