"""Trace edges: one file through real sshd, the real broker, transfer, splitter and validator
is ONE trace whose spans form the chain

    transfer file → send edi.files.staged → process edi.files.staged (splitter)
      → send edi.transactions → process edi.transactions (validator) → send edi.validated

each span the child of the one before, with the messaging attributes of the conventions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from edimesh.splitter import service as splitter_service
from edimesh.telemetry import MeshMetrics
from edimesh.validator import service as validator_service
from edimesh.x12.synth import SynthOptions, generate_837p, iter_keys
from tests.integration.kafka_helpers import until
from tests.integration.sftp.harness import PartnerBox
from tests.integration.splitter.conftest import BenchFactory
from tests.integration.telemetry.harness import (
    attributes,
    by_id,
    captured_telemetry,
    mesh_running,
    parent_of,
    wait_for_spans,
)
from tests.integration.validator.harness import ValidatorBench

pytestmark = [pytest.mark.sftp, pytest.mark.kafka, pytest.mark.slow]

SETS = 2


async def caught_up(metrics: MeshMetrics, partition: tuple[str, int, str]) -> None:
    async def zero() -> bool:
        return metrics.lag.get(partition) == 0

    await until(zero, f"lag 0 reported for {partition[0]}")


def parent_named(span: ReadableSpan, spans: dict[int, ReadableSpan], name: str) -> ReadableSpan:
    parent = parent_of(span, spans)
    assert parent is not None, f"{span.name} has no parent in this run"
    assert parent.name == name, f"{span.name}: parent {parent.name}, expected {name}"
    return parent


def _check_messaging(span: ReadableSpan, kind: SpanKind, topic: str, operation: str) -> None:
    attrs = attributes(span)
    assert span.kind is kind, span.name
    assert attrs["messaging.system"] == "kafka"
    assert attrs["messaging.destination.name"] == topic
    assert attrs["messaging.operation.type"] == operation
    assert "error.type" not in attrs, span.name


async def test_one_file_is_one_trace_across_the_mesh(
    make_bench: BenchFactory,
    partner_box: Callable[[], PartnerBox],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(splitter_service, "KAFKA_PROBE_INTERVAL_S", 0.2)
    monkeypatch.setattr(validator_service, "KAFKA_PROBE_INTERVAL_S", 0.2)
    vbench = ValidatorBench(await make_bench())
    topics = vbench.splitter.topics
    box = partner_box()
    options = SynthOptions(claims=2 * SETS, claims_per_set=2)
    data = generate_837p(options)
    keys = list(iter_keys(options))
    assert len(keys) == SETS
    file_id = box.drop("claims-trace.x12", data)

    staged, transactions, validated = (
        topics.files_staged.name, topics.transactions.name, topics.validated.name)  # fmt: skip
    with captured_telemetry() as cap:
        async with mesh_running(vbench, box, cap.telemetry) as mesh:
            outputs = await vbench.wait_outputs(SETS)
            await wait_for_spans(cap, {f"send {validated}": SETS}, "the validator's send spans")
            # Consumer lag per partition: both consumers caught up (0) once all is consumed.
            await caught_up(mesh.splitter.telemetry.metrics, (staged, 0, vbench.splitter.group_id))
            await caught_up(mesh.validator.telemetry.metrics, (transactions, 0, vbench.group_id))
        spans = cap.finished()

    assert {o.topic for o in outputs} == {"validated"}
    index = by_id(spans)

    # Leaves: the validator's sends, one per set; walk up to the transfer's root span.
    leaves = [s for s in spans if s.name == f"send {validated}"]
    assert len(leaves) == SETS
    roots = set()
    for leaf in leaves:
        _check_messaging(leaf, SpanKind.PRODUCER, validated, "send")
        p2 = parent_named(leaf, index, f"process {transactions}")
        _check_messaging(p2, SpanKind.CONSUMER, transactions, "process")
        p2_attrs = attributes(p2)
        assert p2_attrs["messaging.consumer.group.name"] == vbench.group_id
        assert p2_attrs["messaging.destination.partition.id"] == "0"
        assert isinstance(p2_attrs["messaging.kafka.offset"], int)
        assert str(p2_attrs["messaging.kafka.message.key"]).startswith("k1:idem:")
        s2 = parent_named(p2, index, f"send {transactions}")
        _check_messaging(s2, SpanKind.PRODUCER, transactions, "send")
        assert attributes(s2)["messaging.batch.message_count"] == SETS
        p1 = parent_named(s2, index, f"process {staged}")
        _check_messaging(p1, SpanKind.CONSUMER, staged, "process")
        p1_attrs = attributes(p1)
        assert p1_attrs["messaging.consumer.group.name"] == vbench.splitter.group_id
        assert isinstance(p1_attrs["messaging.kafka.offset"], int)
        assert str(p1_attrs["messaging.kafka.message.key"]).startswith("k1:filesha:")
        s1 = parent_named(p1, index, f"send {staged}")
        _check_messaging(s1, SpanKind.PRODUCER, staged, "send")
        assert "messaging.kafka.offset" in attributes(s1)  # delivery recorded
        root = parent_named(s1, index, "transfer file")
        assert root.parent is None
        roots.add(root.context.span_id)
        # The consumers also link to their producer's context.
        assert [link.context.span_id for link in p2.links] == [s2.context.span_id]
        assert [link.context.span_id for link in p1.links] == [s1.context.span_id]
    assert len(roots) == 1

    # The real work has its own INTERNAL spans, children of the span that does it.
    def work(name: str) -> list[ReadableSpan]:
        found = [s for s in spans if s.name == name]
        assert found, name
        assert all(s.kind is SpanKind.INTERNAL for s in found), name
        return found

    (root_id,) = roots
    for name in ("download", "stage"):
        (span,) = work(name)
        assert span.parent is not None, name
        assert span.parent.span_id == root_id, name
    (split,) = work("split file")
    assert parent_named(split, index, f"process {staged}")
    assert attributes(split)["edimesh.x12.set_count"] == SETS
    validations = work("validate set")
    assert len(validations) == SETS
    for span in validations:
        parent_named(span, index, f"process {transactions}")
        attrs = attributes(span)
        assert attrs["edimesh.x12.set_id"] == "837"
        assert attrs["edimesh.x12.guide"] == "005010X222A1"
        assert attrs["edimesh.route"] == "validated"
        assert attrs["edimesh.x12.claim_count"] >= 1

    # ONE trace: every span this run made belongs to the file's trace.
    assert {s.context.trace_id for s in spans} == {leaves[0].context.trace_id}
    # Keys appear only as keyed tokens.
    for span in spans:
        text = repr(dict(span.attributes or {}))
        assert file_id not in text, span.name
        assert not any(key in text for key in keys), span.name
