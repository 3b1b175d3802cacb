"""Fixtures for the validator's integration tests: the splitter's bench plus a validator."""

from __future__ import annotations

import pytest

from tests.integration.splitter.conftest import BenchFactory, make_bench  # noqa: F401 - fixture
from tests.integration.validator.harness import ValidatorBench


@pytest.fixture
async def vbench(make_bench: BenchFactory) -> ValidatorBench:  # noqa: F811 - the fixture above
    return ValidatorBench(await make_bench())
