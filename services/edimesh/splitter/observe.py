"""The splitter's one seam to telemetry: spans per FileStaged and per batch, masked tokens,
metrics.

- `process(record)`: a `process <files topic>` CONSUMER span per FileStaged, child of the
  transfer service's send span (from the event's `traceparent` header), timed as the `split`
  stage.
- `batch()`: per transaction, one `send <topic>` PRODUCER span per destination topic, with the
  message count; every message of that topic in the batch carries that span's traceparent, so
  a validator's process span hangs under it and one file is one trace. These spans are not made
  current (messages are sent between other work, and the commit ends in another task); their
  context goes into the headers explicitly. When the batch commits, its messages are counted
  by route: transaction sets as `split`, quarantined records, TA1s as acks.
- `retried()`, `dead_lettered()`: a FileStaged retried, or dead-lettered (committed).
- `file_token(file_id)`: the keyed token that stands for a file in logs.

Without a Telemetry (tests, embedding), spans are no-ops, metrics record nothing and tokens
use a throwaway key. Given only TelemetryParts (no metrics), spans work and metrics do not.
"""

from __future__ import annotations

from edimesh.mesh.batch_trace import BatchTrace
from edimesh.mesh.service_telemetry import Routes, ServiceTelemetry
from edimesh.mesh.telemetry_parts import TelemetryParts
from edimesh.mesh.topics import MeshTopics
from edimesh.telemetry import AckKind, MaskLabel, Outcome, Stage

__all__ = ["BatchTrace", "SplitterTelemetry", "TelemetryParts"]
RETRY_OPERATION = "split.file"


class SplitterTelemetry(ServiceTelemetry):
    key_label = MaskLabel.FILE_SHA256
    stage = Stage.SPLIT

    @staticmethod
    def routes(topics: MeshTopics) -> Routes:
        return {
            topics.transactions.name: Outcome.SPLIT,
            topics.quarantine.name: Outcome.QUARANTINE,
            topics.dlq.name: Outcome.DLQ,
            topics.acks.name: AckKind.TA1,
        }

    def __init__(
        self, telemetry: TelemetryParts | None, group: str, topics: MeshTopics | None = None
    ) -> None:
        super().__init__(telemetry, group, topics)
        self._dlq = topics.dlq.name if topics is not None else "dlq"

    def retried(self) -> None:
        self.metrics.retried(RETRY_OPERATION)

    def dead_lettered(self) -> None:
        """One FileStaged dead-lettered (call once its transaction committed)."""
        self.metrics.routed(Outcome.DLQ, self._dlq)

    def file_token(self, file_id: str) -> str:
        return self._masker.mask(MaskLabel.FILE_SHA256, file_id)
