"""Fixtures for the acknowledger's integration tests: the validator's bench plus an acknowledger."""

from __future__ import annotations

import pytest

from tests.integration.acknowledger.harness import AckBench
from tests.integration.splitter.conftest import (  # noqa: F401 - fixtures
    BenchFactory,
    _health_endpoint_off,
    make_bench,
)
from tests.integration.validator.harness import ValidatorBench


@pytest.fixture
async def abench(make_bench: BenchFactory) -> AckBench:  # noqa: F811 - the fixture above
    return AckBench(ValidatorBench(await make_bench()))
