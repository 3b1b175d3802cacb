"""One regular expression per segment position that accepts only segments with no SNIP 1-2
element finding: the fast path.

A segment that matches needs no per-element work in Python (one C call instead of dozens of
checks); one that does not goes to the diagnostic path (``elements.py``), which finds exactly
what is wrong. The pattern may reject a good segment (the diagnostic path then finds
nothing), never accept a bad one: ``tests/unit/validation/test_fastpath.py`` checks that.
Date expressions named by a qualifier (DTP03, DMG02) and situational rules are checked in
Python after a match; everything else is in the pattern.
"""

from __future__ import annotations

import re

from edimesh.validation.codesets import lists as cs
from edimesh.validation.spec.compiled import CSeg
from edimesh.validation.spec.format import CompositeDef, ElementDef, ElementUse
from edimesh.validation.spec.values import DATE8, TIME

# External code sets whose check does not depend on other elements: the pattern holds them,
# so a segment that matches needs no SNIP 5 work for them either.
_FOLDED: dict[str, str] = {
    "POS": "(?:" + "|".join(sorted(cs.PLACES_OF_SERVICE)) + ")",
    "CARC": cs.CARC.pattern.removesuffix(r"\Z"),
    "RARC": cs.RARC.pattern.removesuffix(r"\Z"),
    "TAXONOMY": cs.TAXONOMY.pattern.removesuffix(r"\Z"),
    "COUNTRY": cs.COUNTRY.pattern.removesuffix(r"\Z"),
}


def _charset(delimiters: str) -> str:
    return "".join(re.escape(chr(c)) for c in range(0x21, 0x7F) if chr(c) not in delimiters)


def _simple(d: ElementDef, use: ElementUse, chars: str) -> str:
    if use.codes:
        codes = sorted(use.codes, key=len, reverse=True)  # longest first: no prefix steals
        return "(?:" + "|".join(re.escape(v) for v in codes) + ")"
    if use.external in _FOLDED:
        return f"(?=[{chars}]{{{d.min},{d.max}}}(?![{chars}])){_FOLDED[use.external]}"
    lo, hi = d.min, d.max
    if d.type in ("AN", "ID"):
        if use.date_by_qualifier:  # checked in Python after the match
            return f"[{chars}][{chars} ]{{{max(lo - 1, 0)},{hi - 1}}}"
        # a first character that is not a space: an all-space value is an empty one
        return f"[{chars}][{chars} ]{{{max(lo - 1, 0)},{hi - 1}}}"
    if d.type[0] == "N":
        return rf"-?\d{{{lo},{hi}}}"
    if d.type == "R":
        # the decimal form first: the first alternative that matches is then the whole value,
        # which the possessive groups of ``chain`` need (they never backtrack into a value)
        return rf"-?(?:(?=[\d.]{{{lo + 1},{hi + 1}}}(?![\d.]))\d*\.\d+|\d{{{lo},{hi}}})"
    if d.type == "DT":
        return DATE8
    if d.type == "TM":
        return rf"(?=\d{{{lo},{hi}}}(?!\d)){TIME}"
    return f"[{chars}]{{{lo},{hi}}}"


def chain(items: list[tuple[str, bool]], sep: str, *, lead: bool) -> str:
    """Items joined by `sep`; trailing optional items may be left out with their separators.

    Optional parts are possessive: an element's value ends at a separator, so there is only
    one way to match it and backtracking into it could only fail again, slowly.
    """
    out = ""
    need_rest = False
    for k in range(len(items) - 1, -1, -1):
        pattern, required = items[k]
        value = pattern if required else f"(?:{pattern})?+"
        body = (sep if (lead or k > 0) else "") + value + out
        need_rest = need_rest or required
        out = body if need_rest else f"(?:{body})?+"
    return out


def _element(d: ElementDef | CompositeDef, use: ElementUse, chars: str, comp: str,
             rep: str | None) -> str:
    """One element (simple or composite), with its repetitions."""
    if isinstance(d, CompositeDef):
        uses = use.components or ()
        last = max((j for j, u in enumerate(uses) if u.used), default=-1)
        items = _items(list(d.components), uses, last, chars=chars, sep=re.escape(comp),
                       comp=None, rep=None)
        # components after the last used one are not used: the chain stops there
        value = chain(items, re.escape(comp), lead=False) if items else "(?!)"
        repeat = d.repeat
    else:
        value = _simple(d, use, chars)
        repeat = d.repeat
    if repeat > 1 and rep:
        value = f"{value}(?:{re.escape(rep)}{value}){{0,{repeat - 1}}}"
    return value


_DATE_EXPRESSIONS = {
    "D8": DATE8,
    "RD8": f"{DATE8}-{DATE8}",  # start <= end is checked in Python (``CSeg.date_pairs``)
    "DT": rf"{DATE8}(?:[01]\d|2[0-3])[0-5]\d",
    "TM": r"(?:[01]\d|2[0-3])[0-5]\d",
}


def _date_pair(qualifier: ElementUse, sep: str) -> str | None:
    """Qualifier and date expression as one pattern (DTP02 with DTP03), or None."""
    if not qualifier.codes or not qualifier.codes <= _DATE_EXPRESSIONS.keys():
        return None
    return "(?:" + "|".join(
        f"{re.escape(code)}{sep}{_DATE_EXPRESSIONS[code]}" for code in sorted(qualifier.codes)
    ) + ")"


def _items(defs: list[ElementDef | CompositeDef], uses: tuple[ElementUse, ...], last: int, *,
           chars: str, sep: str, comp: str | None, rep: str | None) -> list[tuple[str, bool]]:
    """Chain items for positions 0..last; a date qualifier and its date become one item."""
    items: list[tuple[str, bool]] = []
    i = 0
    while i <= last:
        d, use = defs[i], uses[i]
        nxt = uses[i + 1] if i + 1 < len(uses) else None
        pair = _date_pair(use, sep) if nxt and nxt.date_by_qualifier else None
        if pair is not None and nxt is not None:
            if use.usage == "R" and nxt.usage == "R":
                items.append((pair, True))
            else:  # both present, or both empty (an empty element and its separator)
                items.append((f"(?:{pair}|{sep})", False))
            i += 2
            continue
        if not use.used:
            items.append(("", False))
        elif isinstance(d, CompositeDef):
            assert comp is not None
            items.append((_element(d, use, chars, comp, rep), use.usage == "R"))
        else:
            items.append((_element(d, use, chars, comp or "", rep), use.usage == "R"))
        i += 1
    return items


def source(node: CSeg, element: str, component: str, repetition: str, segment: str = "") -> str:
    """The pattern text of one segment position, without anchors or terminator.

    `segment`, the terminator, must be given when the pattern runs over more than one segment
    (the set pattern): no value may contain it.
    """
    chars = _charset(element + component + repetition + segment)
    uses = node.use.elements
    last_used = max((i for i, u in enumerate(uses) if u.used), default=-1)
    items = _items(list(node.definition.elements), uses, last_used, chars=chars,
                   sep=re.escape(element), comp=component, rep=repetition or None)
    return re.escape(node.id) + chain(items, re.escape(element), lead=True)


def build(node: CSeg, element: str, component: str, repetition: str) -> re.Pattern[str]:
    return re.compile(source(node, element, component, repetition))


def fast_match(node: CSeg, text: str, element: str, component: str, repetition: str) -> bool:
    key = (element, component, repetition)
    pattern = node.fast.get(key)
    if pattern is None:
        pattern = node.fast[key] = build(node, element, component, repetition)
    return pattern.fullmatch(text) is not None
