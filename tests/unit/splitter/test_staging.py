"""Staged files: URIs must point under the staging root; problems never name the path."""

from __future__ import annotations

from pathlib import Path

import pytest

from edimesh.mesh.staging import (
    StagedFileMismatchError,
    StagedFileMissingError,
    StagingUriError,
    check_staged,
    resolve_staged,
)
from edimesh.splitter.file_reader import read_chunks


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "staging"
    folder.mkdir()
    return folder


def test_a_uri_under_the_root_resolves(root: Path) -> None:
    path = root / "ab12"
    path.write_bytes(b"x")
    assert resolve_staged(path.as_uri(), root) == path.resolve()
    assert resolve_staged(f"file://localhost{path}", root) == path.resolve()


@pytest.mark.parametrize(
    "uri",
    [
        "https://example.org/staging/ab12",
        "file://otherhost/staging/ab12",
        "file:relative/ab12",
        "s3://bucket/ab12",
        "file:///staging/ab12?x=1",
    ],
)
def test_foreign_uris_are_refused(uri: str, root: Path) -> None:
    with pytest.raises(StagingUriError):
        resolve_staged(uri, root)


def test_escapes_from_the_root_are_refused(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "member-SSN-123-45-6789.x12"
    secret.write_bytes(b"x")
    (root / "link").symlink_to(secret)
    for uri in (secret.as_uri(), f"file://{root}/../{secret.name}",
                f"file://{root}/%2E%2E/{secret.name}", (root / "link").as_uri()):  # fmt: skip
        with pytest.raises(StagingUriError) as caught:
            resolve_staged(uri, root)
        assert "SSN" not in str(caught.value)
        assert str(tmp_path) not in str(caught.value)


def test_missing_and_mismatched_files(root: Path) -> None:
    path = root / "ab12"
    with pytest.raises(StagedFileMissingError):
        check_staged(path, 3)
    with pytest.raises(StagedFileMissingError):
        check_staged(root, 3)  # a directory
    path.write_bytes(b"abc")
    check_staged(path, 3)
    with pytest.raises(StagedFileMismatchError, match="3 bytes"):
        check_staged(path, 4)


async def test_chunks_cover_the_file_exactly(root: Path) -> None:
    data = bytes(range(256)) * 1000
    path = root / "f"
    path.write_bytes(data)
    chunks = [bytes(c) async for c in read_chunks(path, 4096)]
    assert b"".join(chunks) == data
    assert {len(c) for c in chunks[:-1]} == {4096}


async def test_reading_a_missing_file_is_a_staged_file_error(root: Path) -> None:
    with pytest.raises(StagedFileMissingError):
        async for _ in read_chunks(root / "gone", 4096):
            pass


async def test_leaving_early_closes_the_reader(root: Path) -> None:
    path = root / "f"
    path.write_bytes(b"x" * 100_000)
    reader = read_chunks(path, 4096)
    async for _ in reader:
        break
    await reader.aclose()  # type: ignore[attr-defined]  # waits for the read ahead
