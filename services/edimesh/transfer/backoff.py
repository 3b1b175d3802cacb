"""The transfer's retry policy: the mesh's `Backoff` (kept importable from here)."""

from __future__ import annotations

from edimesh.mesh.backoff import Backoff

__all__ = ["Backoff"]
