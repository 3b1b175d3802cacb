"""Liveness, readiness and the Prometheus scrape over HTTP, on one port per service.

- `GET /livez`: 200 while the event loop keeps beating (`Heartbeat`), 503 once stale.
- `GET /readyz`: 200 when every `Readiness` condition holds, else 503 with the unmet names,
  e.g. `{"status":"not_ready","unmet":["kafka_reachable"]}`.
- `GET /metrics`: Prometheus text (`prometheus_exposition`).

Responses hold only code names and metrics with closed label sets: no keys, paths or ids.
Port and host come from `HealthSettings` (EDIMESH_HEALTH_PORT, EDIMESH_HEALTH_HOST).
"""

from edimesh.telemetry.health.probes import Heartbeat, Readiness
from edimesh.telemetry.health.server import HealthServer
from edimesh.telemetry.health.settings import HealthSettings

__all__ = ["HealthServer", "HealthSettings", "Heartbeat", "Readiness"]
