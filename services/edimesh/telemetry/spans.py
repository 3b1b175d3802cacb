"""Spans that cannot leak: safe exception recording, scrubbed attributes, internal work spans.

The SDK's own `record_exception` (and `start_as_current_span`'s default of recording an escaping
exception) writes `str(exc)` and a full traceback with every chained message into the span:
exactly where PHI hides. Every span edimesh opens goes through here instead.

    with work_span(tracer, "split file", {"edimesh.file": masker.mask(MaskLabel.FILE_NAME, n)}):
        ...
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager

from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.util.types import AttributeValue

from edimesh.telemetry import semconv
from edimesh.telemetry.redaction import scrub
from edimesh.telemetry.safe_errors import describe_exception

Attributes = Mapping[str, AttributeValue]
MAX_DEPTH = 4


def record_exception_safely(span: Span, exc: BaseException) -> None:
    """Mark `span` failed by `exc`: error.type, an `exception` event and an ERROR status that
    carry the class and the safe message only (see `safe_errors`)."""
    info = describe_exception(exc)
    span.add_event(
        semconv.EXCEPTION_EVENT,
        {
            semconv.EXCEPTION_TYPE: info.type,
            semconv.EXCEPTION_MESSAGE: info.message,
            semconv.EXCEPTION_STACKTRACE: info.stack,
        },
    )
    span.set_attribute(semconv.ERROR_TYPE, info.type)
    span.set_status(Status(StatusCode.ERROR, f"{info.type}: {info.message}"))


def safe_attributes(attributes: Attributes | None) -> dict[str, AttributeValue]:
    """`attributes` with every string scrubbed and bytes dropped, nested values included."""
    return {name: _safe_value(value) for name, value in (attributes or {}).items()}


def _safe_value(value: AttributeValue, depth: int = 0) -> AttributeValue:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, bytes):
        return "[redacted:bytes]"
    if depth >= MAX_DEPTH and isinstance(value, Sequence | Mapping):
        return "[redacted:nested]"
    if isinstance(value, Mapping):
        return {scrub(k): _safe_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [_safe_value(v, depth + 1) for v in value]
    return value


@contextmanager
def safe_span(
    tracer: Tracer,
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Attributes | None = None,
    context: Context | None = None,
    links: Sequence[Link] = (),
) -> Iterator[Span]:
    """A current span whose failure is recorded by `record_exception_safely` only.

    `name` and `attributes` are used as given: build them from names and tokens only (topic,
    group, masked key). The exception still propagates. Cancellation and other BaseExceptions
    end the span without an error status: they are not failures of the work.
    """
    with tracer.start_as_current_span(
        name,
        context=context,
        kind=kind,
        attributes=attributes,
        links=links,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except Exception as exc:
            record_exception_safely(span, exc)
            raise


def work_span(
    tracer: Tracer, name: str, attributes: Attributes | None = None
) -> AbstractContextManager[Span]:
    """An INTERNAL span for a piece of real work ("download", "split file", "validate set").

    Domain attributes (transaction set id, counts, route, tokens) are scrubbed as a last line.
    """
    return safe_span(tracer, scrub(name), attributes=safe_attributes(attributes))


@contextmanager
def side_span(
    tracer: Tracer, name: str, attributes: Attributes | None = None
) -> Iterator[Span]:
    """A work span that is not made current: spans started inside the block (a service's
    `send` spans) keep the current `process` span as their parent, as the trace chain wants."""
    span = tracer.start_span(scrub(name), attributes=safe_attributes(attributes))
    try:
        yield span
    except Exception as exc:
        record_exception_safely(span, exc)
        raise
    finally:
        span.end()
