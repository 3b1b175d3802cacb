"""The acknowledger: joins group manifests with per-set results and publishes one 999 per
functional group, exactly once (see docs/acknowledger.md)."""
