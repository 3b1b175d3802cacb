"""Every corpus file through the splitter: what lands in Kafka matches `edimesh check`'s report.

The expectation is built from the checker's report (`FileReport.as_dict`, what `edimesh check
--json` prints) plus the two rules the splitter adds across files, computed here independently:
identical files (same sha256) are split once, and an interchange whose ISA06|ISA08|ISA13 (well
formed) was already accepted, from an earlier file or earlier in the same file, is a duplicate:
TA1 025, quarantine, none of its sets or groups.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from edimesh.checker.reader import scan_file
from edimesh.checker.report import FileReport
from tests.conftest import CORPUS
from tests.integration.splitter.conftest import BenchFactory

pytestmark = pytest.mark.slow
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "INDEX.md")


def _report(path: Path) -> dict[str, Any]:
    report = FileReport(str(path))
    for event in scan_file(path):
        report.add(event)
    return report.as_dict()


def _errors(report: dict[str, Any], level: str, interchange: int | None = None) -> list[Any]:
    return [
        (p["code"] or p["kind"], p["location"].get("byte_offset"))
        for p in report["problems"]
        if p["severity"] == "error" and p["level"] == level
        and (interchange is None or p["location"].get("interchange") == interchange)
    ]  # fmt: skip


class Expected:
    """What the splitter should publish for the corpus, in staging order."""

    def __init__(self) -> None:
        self.sets: Counter[tuple[str, str, str]] = Counter()  # (file, group key, st01)
        self.set_errors: Counter[tuple[str, str, int | None]] = Counter()
        self.manifests: dict[tuple[str, str], tuple[int, list[Any]]] = {}
        self.acks: Counter[tuple[str, str, str, str]] = Counter()  # file, key, status, code
        self.interchange_errors: dict[tuple[str, str], list[Any]] = {}
        self.file_errors: dict[str, list[Any]] = {}
        self.set_quarantine: Counter[tuple[str, str]] = Counter()
        self._accepted: set[str] = set()

    def add(self, file_id: str, report: dict[str, Any]) -> None:
        dup_st02 = [p for p in report["problems"] if p["kind"] == "st02_duplicate"]
        file_level = _errors(report, "file")
        for ic in report["interchanges"]:
            if ic["sender_id"] is None:  # unusable ISA: only the file record can report it
                file_level += _errors(report, "interchange", ic["index"])
                continue
            key = f"{ic['sender_id']}|{ic['receiver_id']}|{ic['control_number']}"
            isa13 = ic["control_number"]
            well_formed = ic["sender_id"] and ic["receiver_id"] and isa13.isdigit() \
                and len(isa13) == 9  # fmt: skip
            if well_formed and key in self._accepted:
                self.acks[(file_id, key, "R", "025")] += 1
                isa = ("025", ic["byte_range"][0])
                self.interchange_errors[(file_id, key)] = [isa, *_errors(report, "interchange",
                                                                         ic["index"])]  # fmt: skip
                continue
            if well_formed:
                self._accepted.add(key)
            if ic["ta1_code"] != "000":
                self.acks[(file_id, key, "E", ic["ta1_code"])] += 1
                self.interchange_errors[(file_id, key)] = _errors(report, "interchange",
                                                                  ic["index"])  # fmt: skip
            for g in ic["groups"]:
                group_key = f"{key}|{g['control_number']}"
                dups = [p for p in dup_st02 if p["location"].get("group") == g["index"]]
                for st01, n in g["set_types"].items():
                    self.sets[(file_id, group_key, st01)] += n
                if dups:  # quarantined instead of emitted: their key would repeat
                    self.set_quarantine[(file_id, group_key)] += len(dups)
                group_errors = [
                    (p["code"] or p["kind"], p["location"].get("byte_offset"))
                    for p in report["problems"]
                    if p["severity"] == "error" and p["level"] == "group"
                    and p["location"].get("group") == g["index"]
                ]  # fmt: skip
                group_errors += [(p["code"], p["location"]["byte_offset"]) for p in dups]
                self.manifests[(file_id, group_key)] = (g["sets"], sorted(group_errors))
            for p in report["problems"]:
                loc = p["location"]
                if (p["severity"] == "error" and p["level"] == "set"
                        and loc.get("interchange") == ic["index"]
                        and p["kind"] != "st02_duplicate"):  # fmt: skip
                    self.set_errors[(file_id, p["code"], loc.get("byte_offset"))] += 1
        if file_level:
            self.file_errors[file_id] = sorted(file_level, key=str)


async def test_every_corpus_file_matches_the_checker(
    make_bench: BenchFactory, kafka_admin: Any
) -> None:
    assert len(FILES) > 100
    bench = await make_bench(partitions=1)  # one partition: files are split in staging order
    expected = Expected()
    staged: set[str] = set()
    for path in FILES:
        data = path.read_bytes()
        file_id = hashlib.sha256(data).hexdigest()
        await bench.stage(data)
        if file_id not in staged:  # a second copy of the same bytes is skipped
            staged.add(file_id)
            expected.add(file_id, _report(path))
    async with bench.running():
        await bench.wait_consumed(kafka_admin)

    assert await bench.decoded(bench.topics.dlq) == []
    sets = await bench.decoded(bench.topics.transactions)
    got = Counter((s["file_id"], s["group_key"], s["st01"]) for s in sets)
    per_group: Counter[tuple[str, str]] = Counter()
    for (file_id, group_key, _), n in got.items():
        per_group[(file_id, group_key)] += n
    want_per_group: Counter[tuple[str, str]] = Counter()
    for (file_id, group_key, _), n in expected.sets.items():
        want_per_group[(file_id, group_key)] += n
    want_per_group.subtract(expected.set_quarantine)
    assert per_group == +want_per_group
    dup_groups = set(expected.set_quarantine)
    assert {k: n for k, n in got.items() if k[:2] not in dup_groups} == {
        k: n for k, n in expected.sets.items() if k[:2] not in dup_groups
    }
    assert len({s["idempotency_key"] for s in sets}) == len(sets)
    assert Counter((s["file_id"], p["code"], p["byte_offset"])
                   for s in sets for p in s["problems"]) == expected.set_errors  # fmt: skip

    manifests = await bench.decoded(bench.topics.group_manifests)
    assert {(m["file_id"], m["group_key"]): (m["set_count"],
             sorted((p["code"], p["byte_offset"]) for p in m["problems"])) for m in manifests
            } == expected.manifests  # fmt: skip
    assert len(manifests) == len(expected.manifests)

    acks = await bench.decoded(bench.topics.acks)
    got_acks: Counter[tuple[str, str, str, str]] = Counter()
    for a in acks:
        target = a["acknowledges"]
        key = f"{target['isa06']}|{target['isa08']}|{target['isa13']}"
        got_acks[(a["file_id"], key, a["status"], a["note_code"])] += 1
    assert got_acks == expected.acks
    assert expected.acks  # the corpus has broken and repeated interchanges

    quarantined = await bench.decoded(bench.topics.quarantine)
    by_scope = Counter(q["scope"] for q in quarantined)
    assert by_scope["INTERCHANGE"] == len(expected.interchange_errors)
    assert by_scope["FILE"] == len(expected.file_errors)
    assert by_scope["TRANSACTION_SET"] == sum(expected.set_quarantine.values())
    for q in quarantined:
        errors = [(e["code"], e["byte_offset"]) for e in q["errors"]]
        if q["scope"] == "INTERCHANGE":
            want = expected.interchange_errors[(q["file_id"], q["idempotency_key"])]
            assert sorted(errors, key=str) == sorted(want, key=str)
            assert q["raw"]["sha256"] == q["file_id"]
        elif q["scope"] == "FILE":
            assert sorted(errors, key=str) == expected.file_errors[q["file_id"]]
