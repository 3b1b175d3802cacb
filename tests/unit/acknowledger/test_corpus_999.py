"""Every functional group of every corpus file gets a 999 that parses and whose counts add up."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.acknowledger.pipeline import check_999, run_groups
from tests.unit.acknowledger.valid999 import CORPUS_DEVIATIONS

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*")
               if p.is_file() and p.name != "INDEX.md" and not p.name.startswith("."))  # fmt: skip


def test_the_corpus_is_there() -> None:
    assert len(FILES) > 100


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_every_group_of_a_corpus_file_gets_a_sound_999(path: Path) -> None:
    for run in run_groups(path.read_bytes()):
        check_999(run.ack.text, tolerate=CORPUS_DEVIATIONS)
        assert run.ack.text.count("~AK2*") == len(run.sets)
        assert run.group.received_count == run.manifest["set_count"]
