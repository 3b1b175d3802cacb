"""Several partners and files, end to end: real sshd, real broker."""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from edimesh.transfer.partners import RenameConvention
from tests.integration.sftp.harness import Mesh, PartnerBox, part_files, running, wait_for

pytestmark = [pytest.mark.sftp, pytest.mark.kafka]

CANARY = "CANARY-MEMBER-8817-DOE"  # a file-name fragment that must never reach a log line


async def test_partners_files_staged_published_once_and_archived(
    kafka_bootstrap: str,
    partner_box: Callable[[], PartnerBox],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="edimesh")
    caplog.set_level(logging.INFO)
    acme, beta, gamma = partner_box(), partner_box(), partner_box()
    sources: dict[str, bytes] = {}
    for index, box in enumerate((acme, beta, gamma)):
        for number in range(3):
            data = os.urandom(1000 + 700_000 * number + index)
            name = f"{CANARY}-{index}-{number}.x12"
            box.drop(name, data)
            sources[hashlib.sha256(data).hexdigest()] = data
    gamma.drop(f"{CANARY}-late.x12.uploading", b"still being written")
    acme.drop("notes.txt", b"not an X12 file: the pattern leaves it alone")

    mesh = Mesh.fresh(kafka_bootstrap)
    staging = tmp_path / "staging"
    config = mesh.config(
        staging,
        acme.partner("acme", pattern="*.x12"),
        beta.partner("beta", delete_after_success=True),
        gamma.partner("gamma", rename_convention=RenameConvention(temporary_suffix=".uploading")),
        max_concurrent_downloads=3,
    )
    async with running(config) as service:
        await wait_for(
            lambda: sum(s.published for s in service.status.values()) == 9,
            "nine files published",
        )
        await wait_for(
            lambda: (
                acme.inbound() == ["notes.txt"]
                and beta.inbound() == []
                and gamma.inbound() == [f"{CANARY}-late.x12.uploading"]
            ),
            "every complete file disposed",
        )

    events = await mesh.events()
    assert sorted(e["file_id"] for e in events) == sorted(sources)
    assert len(await mesh.ledger()) == 9
    _check_staged(events, staging, sources)
    assert len(acme.archived()) == 3
    assert beta.archived() == []
    assert len(gamma.archived()) == 3
    assert part_files(staging) == []

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "published" in logged  # the capture works, so the next line can fail
    assert CANARY not in logged
    assert "/inbound" not in logged


def _check_staged(events: list[dict[str, Any]], staging: Path, sources: dict[str, bytes]) -> None:
    for event in events:
        staged = Path(event["staging_uri"].removeprefix("file://"))
        assert staged == staging / event["partner"] / event["file_id"]
        assert staged.read_bytes() == sources[event["file_id"]]
        assert event["size_bytes"] == len(sources[event["file_id"]])
        assert event["source_path_token"].startswith("k1:path:")
        assert CANARY not in event["source_path_token"]
        assert stat.S_IMODE(staged.stat().st_mode) == 0o640
    assert {e["partner"] for e in events} == {"acme", "beta", "gamma"}
    for partner in ("acme", "beta", "gamma"):
        assert stat.S_IMODE((staging / partner).stat().st_mode) == 0o750


async def test_a_non_utf8_file_name_is_staged_and_archived(
    kafka_bootstrap: str, partner_box: Callable[[], PartnerBox], tmp_path: Path
) -> None:
    box = partner_box()
    name = os.fsdecode(b"claims-\xff.x12")  # not UTF-8: a surrogate-escaped str here
    box.drop(name, b"ISA*00*")
    mesh = Mesh.fresh(kafka_bootstrap)
    async with running(mesh.config(tmp_path / "staging", box.partner("acme"))):
        await wait_for(lambda: box.inbound() == [], "the file archived")
    assert len(await mesh.events()) == 1
    assert box.archived() == [name]
