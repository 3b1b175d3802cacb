"""Fixtures for the validator's integration tests: the splitter's bench plus a validator."""

from __future__ import annotations

import pytest

from tests.integration.splitter.conftest import (  # noqa: F401 - fixtures
    BenchFactory,
    _health_endpoint_off,
    make_bench,
)
from tests.integration.validator.harness import ValidatorBench


@pytest.fixture
async def vbench(make_bench: BenchFactory) -> ValidatorBench:  # noqa: F811 - the fixture above
    return ValidatorBench(await make_bench())
