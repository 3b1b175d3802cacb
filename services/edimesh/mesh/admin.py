"""Create the mesh topics, idempotently, and report what the broker has.

`ensure_topics` first asks the broker to validate every missing topic (validate_only), so a
config the broker refuses creates nothing; then creates them, waits until each partition has a
leader, and compares existing topics' configs with the declared ones (drift is reported, never
silently altered: changing a live topic is an operator's decision).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaConnectionError, KafkaError, for_code

from edimesh.errors import ConfigError, TransientError
from edimesh.mesh.kafka_security import client_options, tls_failure
from edimesh.mesh.topics import TopicSpec

_ALREADY_EXISTS = 36
_LEADER_POLL_S = 0.1


@dataclass(frozen=True, slots=True)
class ConfigDrift:
    """An existing topic whose setting differs from its declaration."""

    topic: str
    key: str  # a config name, or "partitions"
    expected: str
    actual: str | None


@dataclass(frozen=True, slots=True)
class EnsureReport:
    created: tuple[str, ...]
    existing: tuple[str, ...]
    drift: tuple[ConfigDrift, ...]


@contextlib.asynccontextmanager
async def admin_client(
    bootstrap: str, timeout_s: float = 30.0
) -> AsyncIterator[AIOKafkaAdminClient]:
    """A started admin client; broker errors and timeouts surface as edimesh errors."""
    client = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="edimesh-admin",
        request_timeout_ms=int(timeout_s * 1000),
        **client_options(),
    )
    try:
        async with asyncio.timeout(timeout_s):
            await client.start()
            yield client
    except TimeoutError as exc:
        raise TransientError(f"Kafka at {bootstrap} did not answer within {timeout_s:g}s") from exc
    except KafkaConnectionError as exc:
        why = await tls_failure(bootstrap)
        raise TransientError(
            f"Kafka at {bootstrap} is unreachable{f': {why}' if why else ''}"
        ) from exc
    except KafkaError as exc:
        if exc.retriable:
            raise TransientError(f"Kafka at {bootstrap} is not ready: {exc}") from exc
        raise ConfigError(f"Kafka admin request failed: {type(exc).__name__}: {exc}") from exc
    except OSError as exc:
        raise TransientError(f"Kafka at {bootstrap} is unreachable ({exc.strerror})") from exc
    finally:
        await client.close()


async def ensure_topics(
    bootstrap: str, specs: Iterable[TopicSpec], *, timeout_s: float = 30.0
) -> EnsureReport:
    """Create the topics of `specs` that do not exist yet; report created, existing, drift."""
    wanted = {spec.name: spec for spec in specs}
    async with admin_client(bootstrap, timeout_s) as client:
        present = set(await client.list_topics())
        missing = [spec for name, spec in wanted.items() if name not in present]
        created: list[str] = []
        if missing:
            await _create(client, missing, validate_only=True)
            created = await _create(client, missing, validate_only=False)
            await _await_leaders(client, created)
        existing = sorted(name for name in wanted if name not in created)
        drift = await _drift(client, [wanted[name] for name in existing])
    return EnsureReport(tuple(sorted(created)), tuple(existing), tuple(drift))


async def topic_partitions(bootstrap: str, *, timeout_s: float = 30.0) -> dict[str, int]:
    """Every topic on the broker with its partition count."""
    async with admin_client(bootstrap, timeout_s) as client:
        return {t["topic"]: len(t["partitions"]) for t in await client.describe_topics()}


async def topic_configs(
    bootstrap: str, names: Sequence[str], *, timeout_s: float = 30.0
) -> dict[str, dict[str, str | None]]:
    """The broker's effective configs of the given topics."""
    async with admin_client(bootstrap, timeout_s) as client:
        return await _configs(client, names)


async def _create(
    client: AIOKafkaAdminClient, specs: list[TopicSpec], *, validate_only: bool
) -> list[str]:
    requests = [
        NewTopic(s.name, s.partitions, s.replication_factor, topic_configs=s.configs) for s in specs
    ]
    response = await client.create_topics(requests, validate_only=validate_only)
    created = []
    for entry in response.topic_errors:
        name, code = entry[0], entry[1]
        message = entry[2] if len(entry) > 2 else None
        if code == 0:
            created.append(name)
        elif code != _ALREADY_EXISTS:  # a concurrent creator won the race: fine
            error = for_code(code)
            text = f"broker refused topic {name}: {error.__name__}"
            text += f": {message}" if message else ""
            raise (TransientError if error.retriable else ConfigError)(text)
    return created


async def _await_leaders(client: AIOKafkaAdminClient, names: list[str]) -> None:
    """New topics are usable once every partition has a leader."""
    pending = set(names)
    while pending:
        for topic in await client.describe_topics(sorted(pending)):
            if (
                topic["error_code"] == 0
                and topic["partitions"]
                and all(p["error_code"] == 0 and p["leader"] >= 0 for p in topic["partitions"])
            ):
                pending.discard(topic["topic"])
        if pending:
            await asyncio.sleep(_LEADER_POLL_S)


async def _configs(
    client: AIOKafkaAdminClient, names: Sequence[str]
) -> dict[str, dict[str, str | None]]:
    if not names:
        return {}
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    found: dict[str, dict[str, str | None]] = {}
    for response in await client.describe_configs(resources):
        for resource in response.resources:
            code, message, name, entries = resource[0], resource[1], resource[3], resource[4]
            if code:
                error = for_code(code).__name__
                raise ConfigError(f"cannot describe topic {name}: {error}: {message}")
            found[name] = {entry[0]: entry[1] for entry in entries}
    return found


async def _drift(client: AIOKafkaAdminClient, specs: list[TopicSpec]) -> list[ConfigDrift]:
    if not specs:
        return []
    names = [s.name for s in specs]
    actual = await _configs(client, names)
    layout: dict[str, Any] = {t["topic"]: t for t in await client.describe_topics(names)}
    drift = []
    for spec in specs:
        partitions = len(layout.get(spec.name, {}).get("partitions", []))
        if partitions != spec.partitions:
            drift.append(
                ConfigDrift(spec.name, "partitions", str(spec.partitions), str(partitions))
            )
        for key, expected in spec.configs.items():
            value = actual.get(spec.name, {}).get(key)
            if value != expected:
                drift.append(ConfigDrift(spec.name, key, expected, value))
    return drift
