"""Which files are complete: size stable across two listings, or the rename convention."""

from __future__ import annotations

from edimesh.transfer.completeness import RemoteEntry, select_ready


def entry(name: str, size: int = 100, mtime: int = 1) -> RemoteEntry:
    return RemoteEntry(name, size, mtime)


def test_a_new_file_waits_for_a_second_listing() -> None:
    first = select_ready({}, [entry("a.x12")], "*.x12")
    assert first.ready == ()
    second = select_ready(first.seen, [entry("a.x12")], "*.x12")
    assert second.ready == (entry("a.x12"),)


def test_a_growing_file_is_not_ready() -> None:
    first = select_ready({}, [entry("a.x12", 100)], "*")
    second = select_ready(first.seen, [entry("a.x12", 200)], "*")
    assert second.ready == ()
    third = select_ready(second.seen, [entry("a.x12", 200)], "*")
    assert third.ready == (entry("a.x12", 200),)


def test_a_touched_file_is_not_ready() -> None:
    first = select_ready({}, [entry("a.x12", mtime=1)], "*")
    assert select_ready(first.seen, [entry("a.x12", mtime=2)], "*").ready == ()


def test_pattern_dotfiles_and_vanished_files() -> None:
    listing = [entry("a.x12"), entry("b.txt"), entry(".hidden.x12"), entry("c.X12")]
    first = select_ready({}, listing, "*.x12")
    assert sorted(first.seen) == ["a.x12"]  # case-sensitive match, dot-files skipped
    assert select_ready(first.seen, [], "*.x12").seen == {}


def test_rename_convention_makes_files_ready_at_first_sight() -> None:
    listing = [entry("b.x12"), entry("a.x12"), entry("c.x12.part")]
    selection = select_ready({}, listing, "*", temporary_suffix=".part")
    assert [e.name for e in selection.ready] == ["a.x12", "b.x12"]
