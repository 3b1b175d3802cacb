"""Situational rules compiled to one small Python function per segment position.

The fast path calls it after the segment's pattern matched: a handful of comparisons in one
call instead of one interpreted rule after another. It only answers "all rules hold"; when
one does not, the diagnostic checks (``elements.py``) say which and where. The source is
generated from the guide data at load time, never from input.
"""

from __future__ import annotations

from collections.abc import Callable

from edimesh.validation.spec.situations import Rule

RuleCheck = Callable[[list[str], str], bool]


def _var(pos: tuple[int, int]) -> str:
    return f"v{pos[0]}_{pos[1]}"


def compile_rules(rules: tuple[Rule, ...]) -> RuleCheck | None:
    if not rules:
        return None
    positions = sorted({r.a for r in rules} | {r.b for r in rules})
    lines = ["def ok(els, comp):", "    n = len(els)"]
    for el, comp in positions:
        value = f"(els[{el}] if n > {el} else '')"
        if comp:
            value = f"_part({value}, comp, {comp})"
        lines.append(f"    {_var((el, comp))} = {value}")
    for r in rules:
        a, b = _var(r.a), _var(r.b)
        premise = f"not {a}" if r.a_absent else a
        if r.a_values is not None:
            premise += f" and {a} in {sorted(r.a_values)!r}"
        conclusion = f"not {b}" if r.b_absent else b
        lines.append(f"    if ({premise}) and not ({conclusion}):")
        lines.append("        return False")
    lines.append("    return True")
    namespace: dict[str, object] = {"_part": _part}
    exec("\n".join(lines), namespace)  # noqa: S102 - source built from guide data, not input
    return namespace["ok"]  # type: ignore[return-value]


def _part(value: str, comp: str, n: int) -> str:
    parts = value.split(comp)
    return parts[n - 1] if n <= len(parts) else ""
