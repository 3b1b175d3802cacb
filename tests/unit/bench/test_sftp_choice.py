"""Which SFTP source the end-to-end stage uses: the one asked for when it can run, else the
other, else none (the stage is then skipped with a reason)."""

from __future__ import annotations

from pathlib import Path

import pytest

from edimesh.bench import e2e
from edimesh.transfer.partners import load_partners


@pytest.mark.parametrize(
    ("prefer", "embedded", "sshd", "chosen"),
    [
        ("embedded", True, True, "embedded"),
        ("sshd", True, True, "sshd"),
        ("sshd", True, False, "embedded"),
        ("embedded", False, True, "sshd"),
        ("embedded", False, False, None),
    ],
)
def test_choose_sftp(
    monkeypatch: pytest.MonkeyPatch, prefer: str, embedded: bool, sshd: bool, chosen: str | None
) -> None:
    monkeypatch.setattr(e2e, "_embedded_available", lambda: embedded)
    monkeypatch.setattr(e2e, "_sshd_available", lambda: sshd)
    assert e2e.choose_sftp(prefer) == chosen


def test_partner_file_is_one_the_transfer_accepts(tmp_path: Path) -> None:
    key, known_hosts = tmp_path / "key", tmp_path / "known_hosts"
    key.write_text("not read here", encoding="ascii")
    key.chmod(0o600)
    known_hosts.write_text("", encoding="ascii")
    partner = e2e.Partner("127.0.0.1", 2222, "edimesh", key, known_hosts, tmp_path, "x")
    path = tmp_path / "partners.toml"
    path.write_text(partner.toml(), encoding="utf-8")
    (loaded,) = load_partners(path)
    assert (loaded.host, loaded.port, loaded.user) == ("127.0.0.1", 2222, "edimesh")
    assert loaded.inbound_dir == "/inbound"
    assert loaded.delete_after_success
    assert loaded.rename_convention is not None  # a landed file is complete at first sight
