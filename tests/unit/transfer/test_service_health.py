"""The transfer service's readiness conditions (the run itself is covered by tests/integration)."""

from __future__ import annotations

from pathlib import Path

from opentelemetry import trace
from pydantic import SecretStr

from edimesh.telemetry import Masker
from edimesh.telemetry.health import Readiness
from edimesh.transfer.poller import PartnerStatus, State
from edimesh.transfer.service import TransferService
from edimesh.transfer.settings import TransferConfig, TransferSettings


def service(tmp_path: Path) -> TransferService:
    settings = TransferSettings(partners_file=tmp_path / "partners.toml")
    return TransferService(
        TransferConfig(settings, ()),
        masker=Masker("k1", SecretStr("unit-test-masking-key-0123456789abcdef")),
        tracer=trace.get_tracer("tests"),
        readiness=Readiness(),
    )


def test_not_ready_before_the_producer_and_ledger(tmp_path: Path) -> None:
    assert service(tmp_path).readiness.unmet() == ["ledger_loaded", "producer_started"]


def test_not_ready_once_every_partner_is_halted(tmp_path: Path) -> None:
    transfer = service(tmp_path)
    transfer.readiness.set("producer_started")
    transfer.readiness.set("ledger_loaded")
    transfer.status = {"a": PartnerStatus(), "b": PartnerStatus(state=State.HALTED)}
    assert transfer.readiness.ready
    transfer.status["a"].state = State.HALTED
    assert transfer.readiness.unmet() == ["partners_active"]
