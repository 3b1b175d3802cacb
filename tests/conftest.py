"""Shared test configuration: hypothesis profiles and the sample corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

CORPUS = Path(__file__).parent / "data" / "corpus"

settings.register_profile("default", max_examples=100, deadline=None)
# `.ci/run` runs the fuzz targets under this profile: more examples, still bounded in time.
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("EDIMESH_FUZZ_EXAMPLES", "3000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS
