"""What a mesh service uses of `edimesh.telemetry.Telemetry` (tests pass just these)."""

from __future__ import annotations

from typing import Protocol

from edimesh.telemetry import KafkaSpans, Masker


class TelemetryParts(Protocol):
    @property
    def kafka(self) -> KafkaSpans: ...
    @property
    def masker(self) -> Masker: ...
