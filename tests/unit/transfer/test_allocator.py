"""The malloc tuning the transfer applies at start."""

from __future__ import annotations

import platform

import pytest

from edimesh.transfer.allocator import tune_allocator


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_glibc_accepts_the_thresholds() -> None:
    # False would mean libc was not found or mallopt refused a value (it returns 0 then).
    assert tune_allocator() is True
    assert len(bytes(300_000)) == 300_000  # allocation still works after the change
