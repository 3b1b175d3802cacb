"""PHI canary, end to end: files whose names, member ids, SSNs (REF*SY), birth dates,
addresses, CLM01 and ISA13/GS06/ST02 are unique canary values go through real sshd, the real
broker, transfer, splitter, validator and acknowledger. Some sets are quarantined (an envelope
error, an unbalanced claim); a poison TransactionSet and a poison FileStaged are dead-lettered.

Every log line (root at DEBUG, through the JSON formatter and the redaction filter), every
span (name, attributes, events, links, status message) and every metric data point's
attributes and exemplars (and the Prometheus scrape) is captured: no canary appears in any of
them, raw or as a bare sha256 hex. The canaries do appear in the validated, quarantine, DLQ
and 999 payloads, so the test cannot pass by capturing nothing."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from edimesh.x12.synth import SynthError, SynthOptions, generate_837p, iter_keys, iter_phi
from tests.integration.kafka_helpers import until
from tests.integration.sftp.harness import PartnerBox
from tests.integration.splitter.conftest import BenchFactory
from tests.integration.telemetry.harness import (
    Captured,
    captured_telemetry,
    mesh_running,
    span_texts,
)
from tests.integration.validator.harness import Routed, ValidatorBench

pytestmark = [pytest.mark.sftp, pytest.mark.kafka, pytest.mark.slow]


def new_canary(tag: str) -> str:
    """Unique per run: 'C' + a tag letter + 8 hex digits (synth wants [A-Z][A-Z0-9]{2,11})."""
    return f"C{tag}{uuid.uuid4().hex[:8].upper()}"


@dataclass(frozen=True)
class CanaryFile:
    canary: str
    name: str
    options: SynthOptions

    @property
    def data(self) -> bytes:
        return generate_837p(self.options)

    @property
    def keys(self) -> list[str]:
        return list(iter_keys(self.options))

    def phi(self) -> list[str]:
        """Every PHI value written, control numbers included, plus the file name."""
        return [self.name, *(p.value for p in iter_phi(self.options))]

    def canary_strings(self) -> list[str]:
        """The PHI values built around the canary string (names, ids, addresses, CLM01)."""
        return [v for v in self.phi() if self.canary in v and v != self.name]


def canary_file(tag: str, claims: int, claims_per_set: int, *errors: SynthError) -> CanaryFile:
    canary = new_canary(tag)
    options = SynthOptions(
        claims=claims, claims_per_set=claims_per_set, canary=canary, errors=frozenset(errors)
    )
    return CanaryFile(canary, f"{canary}-claims.x12", options)


def forbidden_forms(values: Iterable[str]) -> dict[str, str]:
    """Each value and its bare sha256 hex → the value (for the failure message)."""
    out: dict[str, str] = {}
    for value in values:
        out[value] = value
        out[hashlib.sha256(value.encode("utf-8")).hexdigest()] = f"sha256({value})"
    return out


def leaks(texts: Iterable[str], forms: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    for text in texts:
        for form, what in forms.items():
            if form in text:
                found.append((what, text[:300]))
    return found


def payload_text(outputs: list[Routed], topic: str) -> str:
    return "\n".join(repr(o.value) for o in outputs if o.topic == topic)


async def test_no_phi_in_logs_spans_or_metrics(
    make_bench: BenchFactory, partner_box: Callable[[], PartnerBox]
) -> None:
    vbench = ValidatorBench(await make_bench())
    bench = vbench.splitter
    box = partner_box()
    good = canary_file("G", claims=4, claims_per_set=2)
    unbalanced = canary_file("B", 2, 2, SynthError.UNBALANCED_CLAIM)
    envelope = canary_file("E", 2, 1, SynthError.SE01_COUNT)
    files = [good, unbalanced, envelope]
    poison_set = new_canary("P")
    poison_file = new_canary("F")
    file_ids = [box.drop(f.name, f.data) for f in files]
    set_keys = {key for f in files for key in f.keys}
    group_keys = {key.rsplit("|", 1)[0] for key in set_keys}  # ISA06|ISA08|ISA13|GS06

    with captured_telemetry() as cap:
        async with mesh_running(vbench, box, cap.telemetry):
            # Poison: bytes no decoder accepts, keyed and filled with canaries.
            await vbench.publish_raw(
                f"REF*SY*{poison_set}~NM1*IL*1*{poison_set}~".encode(),
                [],
                key=f"S|R|{poison_set}|1|0001".encode(),
            )
            await bench.publish({}, key=poison_file.encode(), raw_value=poison_file.encode())
            outputs = await wait_routed(vbench, set_keys, poison_set, poison_file)
            acks = await wait_acked(vbench, group_keys)
        texts = captured_texts(cap)  # before the meter provider shuts down

    # The capture is real: every service logged, traced and counted.
    loggers = {line.split('"logger":"', 1)[1].split('"', 1)[0] for line in cap.log_lines()}
    assert any(name.startswith("edimesh.transfer") for name in loggers), loggers
    assert any(name.startswith("edimesh.splitter") for name in loggers), loggers
    assert any(name.startswith("edimesh.validator") for name in loggers), loggers
    assert any(name.startswith("edimesh.acknowledger") for name in loggers), loggers
    span_names = {s.name for s in cap.finished()}
    topics = bench.topics
    for name in ("transfer file", f"process {topics.files_staged.name}",
                 f"process {topics.transactions.name}", f"send {topics.validated.name}",
                 f"send {topics.quarantine.name}", f"send {topics.dlq.name}"):  # fmt: skip
        assert name in span_names, name
    routes = "\n".join(t for t in texts["metrics"] if t.startswith("edimesh.routed"))
    for route in ("validated", "quarantine", "dlq", "split", "ack"):
        assert f"'edimesh.route': '{route}'" in routes, route
    # The stage durations carry exemplars (the trace they were measured in).
    assert any(t.startswith("exemplar ") for t in texts["metrics"])

    # No canary, raw or as a bare sha256, in any log line, span or metric.
    secrets = [v for f in files for v in f.phi()] + [f.canary for f in files]
    secrets += [poison_set, poison_file, *set_keys, *file_ids]
    forms = forbidden_forms(secrets)
    for kind, captured in texts.items():
        assert not leaks(captured, forms), (kind, leaks(captured, forms)[:5])

    # ... and they are where they must be: in the payloads.
    validated = payload_text(outputs, "validated")
    quarantined = payload_text(outputs, "quarantine")
    dead = payload_text(outputs, "dlq")
    assert good.canary_strings()
    for value in good.canary_strings():
        assert value in validated, value
    for value in unbalanced.canary_strings():
        assert value in quarantined, value
    assert envelope.canary in quarantined
    assert poison_set in dead
    assert poison_file in dead
    # The 999s carry the canary control numbers (ISA13/GS06 in their keys and bodies).
    isa13 = {p.value for f in files for p in iter_phi(f.options) if p.field == "ISA13"}
    assert all(any(number.encode() in record.value for record in acks) for number in isa13)


async def wait_routed(
    vbench: ValidatorBench, set_keys: set[str], poison_set: str, poison_file: str
) -> list[Routed]:
    """Until every set's key is on validated or quarantine and both poisons are on the DLQ."""
    found: list[Routed] = []

    async def done() -> bool:
        nonlocal found
        found = await vbench.outputs()
        keys = {o.key.decode() for o in found if o.key is not None and o.topic != "dlq"}
        dead = "\n".join(repr(o.value) for o in found if o.topic == "dlq")
        return set_keys <= keys and poison_set in dead and poison_file in dead

    await until(done, "every set routed and both poisons dead-lettered")
    return found


async def wait_acked(vbench: ValidatorBench, group_keys: set[str]) -> list[Any]:
    """Until every functional group has its 999 on edi.acks (keyed by the group key)."""
    found: list[Any] = []

    async def done() -> bool:
        nonlocal found
        found = await vbench.splitter.read(vbench.splitter.topics.acks)
        return group_keys <= {r.key.decode() for r in found if r.key is not None}

    await until(done, "a 999 for every functional group")
    return found


def captured_texts(cap: Captured) -> dict[str, list[str]]:
    return {
        "logs": cap.log_lines(),
        "spans": [text for span in cap.finished() for text in span_texts(span)],
        "metrics": cap.metric_texts(),
    }
