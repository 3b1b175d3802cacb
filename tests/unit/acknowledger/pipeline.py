"""The pure path from X12 bytes to a 999, without Kafka, and checks every 999 must pass.

run = run_pipeline(data)  # splitter handler -> validator handler -> SetResult -> 999
check_999(run.ack.text)  # parses cleanly, valid X231A1; SE/GE/IEA and AK9 counts right
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from edimesh.acknowledger.answer import ACKNOWLEDGMENT_GROUP
from edimesh.acknowledger.results import group_ack_of, set_result_of
from edimesh.mesh import messages
from edimesh.mesh.codec import decode, encode
from edimesh.mesh.schemas import MessageType
from edimesh.splitter.outputs import Destination as SplitDestination
from edimesh.validator.handler import Output, SetJob, check_set, route_envelope, route_set
from edimesh.x12.ack999 import Ack999, GroupAck, build_999
from tests.unit.acknowledger.valid999 import assert_valid_999
from tests.unit.splitter.helpers import only, split
from tests.unit.x12.helpers import all_problems, parse

NOW = dt.datetime(2024, 3, 15, 11, 0, tzinfo=dt.UTC)
BUILT = dt.datetime(2024, 3, 15, 11, 5, 30, tzinfo=dt.UTC)
CONTROL_NUMBER = "000000042"


@dataclass(frozen=True, slots=True)
class Routed:
    record: messages.TransactionSet
    output: Output  # what the validator sent to edi.validated / edi.quarantine
    result: messages.SetResult  # as decoded from its Avro encoding


@dataclass(frozen=True, slots=True)
class Run:
    sets: list[Routed]
    manifest: messages.GroupManifest
    group: GroupAck
    ack: Ack999


def run_pipeline(data: bytes, *, timed_out: bool = False) -> Run:
    """One file with one functional group, through every pure piece."""
    runs = run_groups(data, timed_out=timed_out)
    assert len(runs) == 1, "the golden inputs hold one functional group"
    return runs[0]


def run_groups(data: bytes, *, timed_out: bool = False) -> list[Run]:
    """Every functional group of one file, through every pure piece, in file order."""
    outputs, _ = split(data)
    routed: dict[str, list[Routed]] = {}
    for out in only(outputs, SplitDestination.TRANSACTIONS):
        record: messages.TransactionSet = out.record  # type: ignore[assignment]
        routed.setdefault(record["group_key"], []).append(_route(record))
    runs = []
    for out in only(outputs, SplitDestination.GROUP_MANIFESTS):
        manifest: messages.GroupManifest = out.record  # type: ignore[assignment]
        if manifest["envelope"]["gs01"] == ACKNOWLEDGMENT_GROUP:
            continue  # the acknowledger answers no 997/999 group
        sets = routed.get(manifest["group_key"], [])
        group = group_ack_of(manifest, [r.result for r in sets], timed_out)
        ack = build_999(group, control_number=CONTROL_NUMBER, when=BUILT)
        runs.append(Run(sets, manifest, group, ack))
    return runs


def _route(record: messages.TransactionSet) -> Routed:
    body = record["body"]
    assert isinstance(body, bytes)
    envelope = route_envelope(record, NOW)
    if envelope is not None:
        return Routed(record, envelope, _avro(set_result_of(record, None, body, NOW)))
    verdict = check_set(SetJob.of(record, body))
    result = _avro(set_result_of(record, verdict, body, NOW))
    return Routed(record, route_set(record, verdict, NOW), result)


def _avro(result: messages.SetResult) -> messages.SetResult:
    """The result as the acknowledger reads it back from Kafka (the schema accepts it)."""
    value, headers = encode(MessageType.SET_RESULT, result)
    decoded: messages.SetResult = decode(value, headers, expected=MessageType.SET_RESULT)  # type: ignore[assignment]
    return decoded


def segments_of(text: str) -> list[list[str]]:
    """A 999 in our fixed delimiters, as lists of elements."""
    assert text.endswith("~")
    return [segment.split("*") for segment in text[:-1].split("~")]


def check_999(text: str, *, timed_out: bool = False,
              tolerate: frozenset[tuple[str, str]] = frozenset()) -> None:
    """The 999 parses with the project's X12 core without a problem, passes the X231A1 guide
    at SNIP 1-2, and its counts add up."""
    assert all_problems(parse(text.encode("latin-1"))) == []
    assert_valid_999(text, tolerate=tolerate)
    segs = segments_of(text)
    ids = [s[0] for s in segs]
    assert ids[:3] == ["ISA", "GS", "ST"]
    assert ids[-3:] == ["SE", "GE", "IEA"]
    assert len(segs[0]) == 17
    assert len("*".join(segs[0])) == 105  # ISA is fixed width
    st, se = ids.index("ST"), ids.index("SE")
    assert int(segs[se][1]) == se - st + 1  # SE01 counts ST..SE
    assert segs[se][2] == segs[st][2]
    assert segs[-2][1:] == ["1", segs[1][6]]  # GE01 one set, GE02 = GS06
    assert segs[-1][1:] == ["1", segs[0][13]]  # IEA01 one group, IEA02 = ISA13
    ak9 = next(s for s in segs if s[0] == "AK9")
    ik5 = [s[1] for s in segs if s[0] == "IK5"]
    assert ids.count("AK2") == len(ik5)
    received, accepted = int(ak9[3]), int(ak9[4])
    assert accepted == sum(1 for status in ik5 if status in ("A", "E"))
    assert received >= len(ik5)
    assert accepted <= received
    clean = all(c == "A" for c in ik5) and len(ak9) == 5  # no AK905 codes
    if accepted == 0 and received > 0:
        assert ak9[1] == "R"
    elif accepted < received or timed_out:
        assert ak9[1] == "P"
    else:
        assert ak9[1] == ("A" if clean else "E")


def masked(text: str) -> str:
    """The 999 one segment a line, with its own control numbers, dates and times masked."""
    lines = []
    for seg in segments_of(text):
        if seg[0] == "ISA":
            seg[9], seg[10], seg[13] = "<date>", "<time>", "<control>"
        elif seg[0] == "GS":
            seg[4], seg[5], seg[6] = "<date>", "<time>", "<control>"
        elif seg[0] in ("GE", "IEA"):
            seg[2] = "<control>"
        lines.append("*".join(seg) + "~\n")
    return "".join(lines)
