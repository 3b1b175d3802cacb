"""The acknowledger refuses to start when its inputs and changelog are not co-partitioned."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from edimesh.acknowledger.service import AcknowledgerService
from edimesh.acknowledger.settings import AcknowledgerSettings
from edimesh.errors import ConfigError
from edimesh.mesh.admin import ensure_topics
from edimesh.mesh.topics import SET_RESULTS, mesh_topics


async def test_unequal_partition_counts_are_a_configuration_error(
    kafka_bootstrap: str, kafka_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDIMESH_HEALTH_PORT", "off")
    prefix = f"t{uuid.uuid4().hex[:10]}."
    topics = mesh_topics(prefix, partitions=2, overrides={SET_RESULTS: 3})
    specs = [topics.group_manifests, topics.set_results, topics.acknowledger_state]
    await ensure_topics(kafka_bootstrap, specs)
    settings = AcknowledgerSettings(bootstrap=kafka_bootstrap, topic_prefix=prefix)
    try:
        with pytest.raises(ConfigError, match="equal partition counts"):
            async with AcknowledgerService(settings):
                pass
    finally:
        await kafka_admin.delete_topics([s.name for s in specs])
