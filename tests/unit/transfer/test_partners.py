"""Partner configuration: valid files load; invalid ones name the partner and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edimesh.errors import ConfigError
from edimesh.transfer.partners import load_partners, parse_partners


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    key = tmp_path / "id_ed25519"
    key.write_text("not parsed here")
    key.chmod(0o600)
    known = tmp_path / "known_hosts"
    known.write_text("")
    return {"key": key, "known": known}


def table(files: dict[str, Path], **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "acme",
        "host": "sftp.acme.example",
        "user": "edimesh",
        "private_key": str(files["key"]),
        "known_hosts": str(files["known"]),
        "inbound_dir": "/inbound",
        "archive_dir": "/archive",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def test_a_toml_file_loads(files: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "partners.toml"
    path.write_text(
        f"""
[[partners]]
name = "acme"
host = "sftp.acme.example"
port = 2222
user = "edimesh"
private_key = "{files["key"]}"
known_hosts = "{files["known"]}"
inbound_dir = "/inbound/"
pattern = "*.x12"
archive_dir = "/archive"
poll_interval_s = 15
rename_convention = {{ temporary_suffix = ".part" }}

[[partners]]
name = "beta"
host = "10.0.0.5"
user = "edi"
private_key = "{files["key"]}"
known_hosts = "{files["known"]}"
inbound_dir = "/out"
delete_after_success = true
"""
    )
    acme, beta = load_partners(path)
    assert (acme.port, acme.inbound_dir, acme.temporary_suffix) == (2222, "/inbound", ".part")
    assert (beta.port, beta.archive_dir, beta.delete_after_success) == (22, None, True)
    assert beta.poll_interval_s == 30.0


@pytest.mark.parametrize(
    ("changes", "field", "why"),
    [
        ({"port": 70000}, "port", "less than or equal to 65535"),
        ({"inbound_dir": "inbound"}, "inbound_dir", "absolute remote path"),
        ({"inbound_dir": "/a/../b"}, "inbound_dir", "without '..'"),
        ({"pattern": "sub/*.x12"}, "pattern", "should match pattern"),
        ({"poll_interval_s": 0}, "poll_interval_s", "greater than 0"),
        ({"name": "Acme Corp"}, "name", "should match pattern"),
        ({"private_key": "/nonexistent/key"}, "private_key", "does not point to a file"),
        ({"colour": "blue"}, "colour", "Extra inputs are not permitted"),
        ({"host": None}, "host", "Field required"),
        ({"archive_dir": None}, "(table)", "exactly one of archive_dir and delete_after_success"),
        ({"delete_after_success": True}, "(table)", "exactly one of"),
        ({"archive_dir": "/inbound"}, "(table)", "archive_dir must differ"),
    ],
)
def test_errors_name_partner_and_field(
    files: dict[str, Path], changes: dict[str, Any], field: str, why: str
) -> None:
    document = {"partners": [table(files, name="good"), table(files, **changes)]}
    with pytest.raises(ConfigError) as caught:
        parse_partners(document, "partners.toml")
    message = str(caught.value)
    assert "#2" in message
    assert f"field {field!r}" in message
    assert why in message


def test_a_readable_private_key_is_refused(files: dict[str, Path]) -> None:
    files["key"].chmod(0o644)
    with pytest.raises(
        ConfigError, match=r"partner 'acme' \(#1\): field 'private_key': .*chmod 600"
    ):
        parse_partners({"partners": [table(files)]}, "p.toml")


def test_rejected_values_are_not_echoed(files: dict[str, Path]) -> None:
    secret_looking = "/inbound-CANARY-123"
    document = {"partners": [table(files, inbound_dir=secret_looking.lstrip("/"))]}
    with pytest.raises(ConfigError) as caught:
        parse_partners(document, "p.toml")
    assert "CANARY" not in str(caught.value)


def test_duplicate_names_and_empty_files_are_refused(files: dict[str, Path]) -> None:
    with pytest.raises(ConfigError, match="used twice: \\['acme'\\]"):
        parse_partners({"partners": [table(files), table(files)]}, "p.toml")
    with pytest.raises(ConfigError, match="at least one"):
        parse_partners({"partners": []}, "p.toml")
    with pytest.raises(ConfigError, match="unknown top-level keys \\['partner'\\]"):
        parse_partners({"partner": [table(files)]}, "p.toml")


def test_unreadable_or_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_partners(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[partners]\nname=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_partners(bad)
