"""Reading back what an InMemoryMetricReader collected, for assertions."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.metrics.export import InMemoryMetricReader


def metric_points(reader: InMemoryMetricReader, name: str) -> list[tuple[dict[str, Any], Any]]:
    """(attributes, value, or count for a histogram) of every data point of metric `name`."""
    data = reader.get_metrics_data()
    out: list[tuple[dict[str, Any], Any]] = []
    for rm in data.resource_metrics if data else ():
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                if metric.name == name:
                    for p in metric.data.data_points:
                        value = getattr(p, "value", None)
                        out.append((dict(p.attributes or {}), getattr(p, "count", value)))
    return out
