"""Hand-made manifests and set results for the acknowledger's tests (synthetic ids, no PHI)."""

from __future__ import annotations

from typing import Any

from edimesh.mesh import messages
from edimesh.mesh.codec import encode
from edimesh.mesh.schemas import MessageType
from tests.integration.acknowledger.harness import AckBench
from tests.unit.mesh_samples import SAMPLES


def group_key(n: int) -> str:
    return f"SENDERID|RECEIVERID|{n:09d}|{n}"


def manifest(key: str, *, emitted: int, received: int | None = None) -> messages.GroupManifest:
    base: messages.GroupManifest = SAMPLES[MessageType.GROUP_MANIFEST]  # type: ignore[assignment]
    control = key.split("|")
    envelope: messages.EnvelopeContext = {**base["envelope"], "isa13": control[2],
                                          "gs06": control[3]}  # fmt: skip
    count = emitted if received is None else received
    return {**base, "group_key": key, "envelope": envelope, "set_count": count,
            "emitted_count": emitted, "declared_count": count, "problems": []}  # fmt: skip


def result(key: str, st02: str, ik501: str = "A") -> messages.SetResult:
    base: messages.SetResult = SAMPLES[MessageType.SET_RESULT]  # type: ignore[assignment]
    control = key.split("|")
    envelope: messages.EnvelopeContext = {**base["envelope"], "isa13": control[2],
                                          "gs06": control[3]}  # fmt: skip
    return {**base, "group_key": key, "idempotency_key": f"{key}|{st02}", "st02": st02,
            "envelope": envelope, "ik501": ik501, "ik502": [], "segments": [],
            "route": "VALIDATED" if ik501 == "A" else "QUARANTINED"}  # fmt: skip


async def send(
    bench: AckBench, record: Any, message_type: MessageType, timestamp_ms: int | None = None
) -> None:
    topics = bench.splitter.topics
    spec = topics.group_manifests if message_type is MessageType.GROUP_MANIFEST else (
        topics.set_results)  # fmt: skip
    value, headers = encode(message_type, record)
    await bench.publish(spec, value, headers, record["group_key"].encode(), timestamp_ms)
