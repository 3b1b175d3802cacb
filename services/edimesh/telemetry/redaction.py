"""The last line of defence: scrub text that looks like X12 content or an identifier.

Code masks identifiers at the source (`Masker`); this catches what slips through. `scrub`
replaces, in order of precedence at each position:

- keyed tokens (`k1:idem:3f2a...`): kept, they are the safe form; so are X12 version codes
  (`005010X222A1`, `004010`), which are not identifiers;
- an ISA header (ISA followed by any separator): to the end of the line;
- an X12 segment (a 2-3 character segment id, then `*`, `|`, `^`, `!` or `+`): to its `~`
  terminator or the end of the line, whatever the spaces inside (addresses have them);
- any run of non-blank characters ending with `~` (segments with other separators);
- hex runs of 32+ characters (digests: a bare sha256 of an identifier is reversible);
- dates (CCYY-MM-DD, M/D/CCYY, and CCYYMMDD), SSN- and phone-shaped numbers, and any run of
  6 or more digits (SSNs, member ids, ZIP+4, control numbers, D8 dates).

It cannot recognise a bare name or a street without digits: those must never be logged.
Numbers such as byte counts and offsets belong in typed `extra` fields (see `log_filter`).
"""

from __future__ import annotations

import re

from edimesh.telemetry.masking import TOKEN_PATTERN

_RULES: tuple[tuple[str, str], ...] = (
    ("keep", rf"(?<![A-Za-z0-9_-]){TOKEN_PATTERN}(?![0-9a-f])"),
    ("keep", r"(?<![A-Za-z0-9])00[2-8]0[0-9]0(?:X\d{3}(?:A\d)?)?(?![A-Za-z0-9])"),
    ("x12", r"\bISA[^A-Za-z0-9\s.,:;'\"()\[\]{}=/][^\r\n]*"),
    ("x12", r"\b[A-Z][A-Z0-9]{1,2}[*|^!+][^~\r\n]*~?"),
    ("x12", r"[^\s~]*[^\s~]~"),
    ("digest", r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{32,}(?![0-9A-Fa-f])"),
    ("date", r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d)"),
    ("date", r"(?<!\d)\d{1,2}/\d{1,2}/\d{2,4}(?!\d)"),
    ("date", r"(?<!\d)(?:1[89]|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)"),
    ("id", r"(?<!\d)\d{3}[-. ]\d{2,3}[-. ]\d{4}(?!\d)"),
    ("id", r"\d{6,}"),
)

_GROUPS = {f"r{i}": kind for i, (kind, _) in enumerate(_RULES)}
_SCRUBBER = re.compile("|".join(f"(?P<r{i}>{rx})" for i, (_, rx) in enumerate(_RULES)))


def _replace(match: re.Match[str]) -> str:
    kind = _GROUPS[match.lastgroup or ""]
    if kind == "keep":
        return match.group()
    return f"[redacted:{kind}]"


def scrub(text: str) -> str:
    """`text` with everything that looks like X12 content or an identifier replaced."""
    return _SCRUBBER.sub(_replace, text)
