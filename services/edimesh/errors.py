"""The one error root of edimesh, with the flags that drive routing.

Every error raised by edimesh code is an `EdiMeshError`. Its class says where the thing it
describes must go (retry, fail fast, quarantine, dead-letter); `route_for` is the single
place that turns an exception into a route. Messages never carry PHI: they name fields,
positions and codes, never values.
"""

from __future__ import annotations

from enum import StrEnum


class Route(StrEnum):
    """Where a failed unit of work goes."""

    RETRY = "retry"
    FAIL_FAST = "fail_fast"
    QUARANTINE = "quarantine"
    DEAD_LETTER = "dlq"


class EdiMeshError(Exception):
    """Root of every edimesh error. Unknown subclasses are fatal."""

    route: Route = Route.DEAD_LETTER


class TransientError(EdiMeshError):
    """Broker unavailable, connection lost, timeout: retry with backoff."""

    route = Route.RETRY


class AuthError(EdiMeshError):
    """Key rejected, host key mismatch: fail fast, never retry in a loop."""

    route = Route.FAIL_FAST


class ConfigError(EdiMeshError):
    """Invalid settings or environment: fail at start with a message that says what to fix."""

    route = Route.FAIL_FAST


class EnvelopeError(EdiMeshError):
    """Bad ISA, control-number mismatch, wrong counts: TA1/999 and quarantine."""

    route = Route.QUARANTINE


class SchemaError(EdiMeshError):
    """Implementation-guide violations (SNIP 1-2): 999 and quarantine."""

    route = Route.QUARANTINE


class BusinessRuleError(EdiMeshError):
    """Balancing and situational rules (SNIP 3-5): quarantine for review."""

    route = Route.QUARANTINE


class FatalError(EdiMeshError):
    """Undecodable input, retries exhausted, a bug: dead-letter, and the loop goes on."""

    route = Route.DEAD_LETTER


class SerializationError(FatalError):
    """A message does not match its Avro schema, or bytes do not decode."""


def route_for(exc: BaseException) -> Route:
    """Map any exception to its route. Foreign exceptions are fatal (dead-letter)."""
    if isinstance(exc, EdiMeshError):
        return exc.route
    return Route.DEAD_LETTER
