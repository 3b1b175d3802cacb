"""The validator's one seam to telemetry: a process span per set, send spans per output,
metrics.

- `process(record)`: a `process <transactions topic>` CONSUMER span per TransactionSet, child
  of the splitter's send span (from the record's `traceparent`); its key attribute is the
  masked idempotency key. Timed as the `validate` stage (decode, validation, retries).
- `send(topic, headers)`: inside the process span, the output's `send <topic>` PRODUCER span
  (ended when its transaction commits or fails) and the headers carrying its trace context.
  When it ends after a commit, the output is counted by route (validated, quarantine, dlq).
- `retried()`: one transient failure of a set, retried.

Without a Telemetry (tests, embedding), spans are no-ops, metrics record nothing and tokens use
a throwaway key. Given only TelemetryParts (no metrics), spans work and metrics do not.
"""

from __future__ import annotations

from edimesh.mesh.service_telemetry import Routes, ServiceTelemetry
from edimesh.mesh.topics import MeshTopics
from edimesh.telemetry import AckKind, MaskLabel, Outcome, Stage

RETRY_OPERATION = "validate.set"


class ValidatorTelemetry(ServiceTelemetry):
    key_label = MaskLabel.IDEMPOTENCY_KEY
    stage = Stage.VALIDATE

    @staticmethod
    def routes(topics: MeshTopics) -> Routes:
        return {
            topics.validated.name: Outcome.VALIDATED,
            topics.quarantine.name: Outcome.QUARANTINE,
            topics.dlq.name: Outcome.DLQ,
            topics.acks.name: AckKind.X999,
        }

    def retried(self) -> None:
        self.metrics.retried(RETRY_OPERATION)
