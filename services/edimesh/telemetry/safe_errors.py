"""What may be said about an exception in a log line or a span: its class and a safe message.

An exception's own text can hold anything (`int('DOE')` puts the value in the message, a
parser may put a segment in it), so:

- an `EdiMeshError` keeps its message, scrubbed: edimesh messages name fields, positions and
  codes by convention, and the scrubber is the last line behind that convention;
- any other exception's message is withheld; only its class is shown. Wrap third-party errors
  (`raise TransientError("broker unavailable") from exc`) to say something useful;
- the causes are named by class only, and the stack by file, line and function only (no
  source text, no messages of chained exceptions).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

from edimesh.errors import EdiMeshError
from edimesh.telemetry.redaction import scrub

WITHHELD = "(message withheld)"
MAX_MESSAGE_CHARS = 500
MAX_CAUSES = 5
MAX_FRAMES = 40


@dataclass(frozen=True, slots=True)
class SafeException:
    """An exception reduced to what telemetry may carry."""

    type: str  # fully qualified class name, as error.type and exception.type want it
    message: str
    stack: str  # one "file:line in function" per frame, innermost last


def type_name(exc_type: type[BaseException]) -> str:
    """`module.QualName`, or just the name for builtins."""
    module = exc_type.__module__
    if module in {"builtins", "__main__", ""}:
        return exc_type.__qualname__
    return f"{module}.{exc_type.__qualname__}"


def safe_message(exc: BaseException) -> str:
    """The exception's message if it is an edimesh error (scrubbed), else a placeholder;
    followed by the classes of its causes."""
    text = scrub(str(exc))[:MAX_MESSAGE_CHARS] if isinstance(exc, EdiMeshError) else WITHHELD
    causes = _cause_types(exc)
    if causes:
        text = f"{text} (caused by {' <- '.join(causes)})"
    return text


def describe_exception(exc: BaseException) -> SafeException:
    """The class, safe message and frames-only stack of `exc`."""
    return SafeException(type_name(type(exc)), safe_message(exc), _frames(exc))


def _cause_types(exc: BaseException) -> list[str]:
    names: list[str] = []
    seen = {id(exc)}
    current: BaseException | None = exc
    while current is not None and len(names) < MAX_CAUSES:
        nxt = current.__cause__
        if nxt is None and not current.__suppress_context__:
            nxt = current.__context__
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(nxt))
        names.append(type_name(type(nxt)))
        current = nxt
    return names


def _frames(exc: BaseException) -> str:
    walked = traceback.walk_tb(exc.__traceback__)
    frames = traceback.StackSummary.extract(walked, lookup_lines=False)[-MAX_FRAMES:]
    return "\n".join(f"{f.filename}:{f.lineno} in {f.name}" for f in frames)
