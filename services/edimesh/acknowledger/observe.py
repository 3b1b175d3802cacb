"""The acknowledger's one seam to telemetry.

- `process(record)`: a `process <topic>` CONSUMER span per manifest or result, child of the
  producer's span (its `traceparent`); the key attribute is the masked group key.
- `send(topic, headers)`: a 999's (or dead letter's) `send <topic>` PRODUCER span, ended when its
  transaction commits or fails; committed 999s and dead letters are counted by route.
- `token(group_key)`: the masked group key for a log line (never the key itself).

Without a Telemetry (tests, embedding), spans are no-ops and tokens use a throwaway key.
"""

from __future__ import annotations

from edimesh.mesh.service_telemetry import Routes, ServiceTelemetry
from edimesh.mesh.topics import MeshTopics
from edimesh.telemetry import AckKind, MaskLabel, Outcome


class AcknowledgerTelemetry(ServiceTelemetry):
    key_label = MaskLabel.MESSAGE_KEY  # not timed as a stage

    @staticmethod
    def routes(topics: MeshTopics) -> Routes:
        return {topics.acks.name: AckKind.X999, topics.dlq.name: Outcome.DLQ}

    def token(self, group_key: str) -> str:
        return self._masker.mask(MaskLabel.MESSAGE_KEY, group_key)
