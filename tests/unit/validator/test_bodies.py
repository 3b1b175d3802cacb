"""By-reference bodies: read from staging, checked against the sha256; refusals name no path."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from edimesh.mesh import messages
from edimesh.mesh.staging import StagingUriError
from edimesh.validator.bodies import BodyFetchError, fetch_body

DATA = b"ISA*...~ST*837*0001~BHT*0019~SE*3*0001~IEA~"


def _ref(path: Path, start: int, length: int, digest: str | None = None) -> messages.BodyRef:
    piece = DATA[start:start + length]
    return {"staging_uri": path.as_uri(), "byte_offset": start, "length": length,
            "sha256": digest or hashlib.sha256(piece).hexdigest()}  # fmt: skip


def test_a_slice_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(DATA)
    assert fetch_body(_ref(path, 8, 30), tmp_path) == DATA[8:38]


@pytest.mark.parametrize("case", ["digest", "short", "missing"])
def test_bad_references_are_fatal(tmp_path: Path, case: str) -> None:
    path = tmp_path / "f"
    if case != "missing":
        path.write_bytes(DATA)
    ref = _ref(path, 8, 30, "00" * 32 if case == "digest" else None)
    if case == "short":
        ref = {**ref, "length": 4096}
    with pytest.raises(BodyFetchError) as caught:
        fetch_body(ref, tmp_path)
    assert str(tmp_path) not in str(caught.value)


def test_a_reference_outside_the_staging_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StagingUriError):
        fetch_body(_ref(Path("/etc/passwd"), 0, 4), tmp_path)
