"""What a correct reader must report for each injected error, and the file summary.

| error                    | envelope-invalid | expected                                      |
|--------------------------|------------------|-----------------------------------------------|
| BAD_ISA09_DATE           | yes              | TA1 TA105=014 invalid interchange date        |
| BAD_ISA13                | yes              | TA1 TA105=018 invalid control number value    |
| BAD_ISA15                | yes              | TA1 TA105=020 invalid test indicator          |
| IEA01_COUNT              | yes              | TA1 TA105=021 invalid number of groups        |
| IEA02_MISMATCH           | yes              | TA1 TA105=001 ISA13/IEA02 do not match        |
| MISSING_IEA              | yes              | TA1 TA105=023 premature end of file           |
| MISSING_GS08             | yes              | 999 AK905=2 version unsupported (uncertain)   |
| SEGMENT_OUTSIDE_ENVELOPE | yes              | file-level error, no ack code (uncertain)     |
| GE01_COUNT               | yes              | 999 AK905=5 set count mismatch                |
| GE02_MISMATCH            | yes              | 999 AK905=4 GS06/GE02 do not agree            |
| MISSING_GE               | yes              | 999 AK905=3 group trailer missing             |
| SE01_COUNT               | yes              | 999 IK502=4 segment count mismatch            |
| SE02_MISMATCH            | yes              | 999 IK502=3 ST02/SE02 do not match            |
| MISSING_SE               | yes              | 999 IK502=2 set trailer missing               |
| DUPLICATE_ST02           | yes              | 999 IK502=23 ST02 not unique in the group     |
| INVALID_NPI              | no (schema)      | 999 IK403=I12 on 2010AA NM109 (uncertain)     |
| UNBALANCED_CLAIM         | no (business)    | SNIP 3 balancing; no 999 code                 |

Codes: TA105 = TA1 interchange note code (I18); AK905 = 999 functional group syntax error code
(716); IK502 = 999 transaction set syntax error code (618); IK403 = 999 element syntax error
code (723). `certain=False` marks a choice where translators differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from edimesh.x12.synth.options import Scope, SynthError, SynthOptions
from edimesh.x12.synth.plan import Layout


class Category(StrEnum):
    ENVELOPE = "envelope"
    SCHEMA = "schema"
    BUSINESS = "business"


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    category: Category
    envelope_invalid: bool  # the file's envelope structure is broken by this error
    segment: str  # segment id carrying (or missing) the defect
    element: str | None  # element reference, e.g. "SE01"
    ack: str | None  # "TA1" or "999"; None when no acknowledgment can carry it
    ack_element: str | None  # "TA105", "AK905", "IK502", "IK403"
    code: str | None
    certain: bool = True
    note: str = ""


def _ta1(segment: str, element: str | None, code: str) -> ErrorInfo:
    return ErrorInfo(Category.ENVELOPE, True, segment, element, "TA1", "TA105", code)


def _ak9(segment: str, element: str | None, code: str) -> ErrorInfo:
    return ErrorInfo(Category.ENVELOPE, True, segment, element, "999", "AK905", code)


def _ik5(segment: str, element: str | None, code: str) -> ErrorInfo:
    return ErrorInfo(Category.ENVELOPE, True, segment, element, "999", "IK502", code)


ERROR_INFO: dict[SynthError, ErrorInfo] = {
    SynthError.SE01_COUNT: _ik5("SE", "SE01", "4"),
    SynthError.SE02_MISMATCH: _ik5("SE", "SE02", "3"),
    SynthError.MISSING_SE: _ik5("SE", None, "2"),
    SynthError.DUPLICATE_ST02: _ik5("ST", "ST02", "23"),
    SynthError.GE01_COUNT: _ak9("GE", "GE01", "5"),
    SynthError.GE02_MISMATCH: _ak9("GE", "GE02", "4"),
    SynthError.MISSING_GE: _ak9("GE", None, "3"),
    SynthError.MISSING_GS08: ErrorInfo(
        Category.ENVELOPE,
        True,
        "GS",
        "GS08",
        "999",
        "AK905",
        "2",
        certain=False,
        note="AK905=2 'functional group version not supported' (the guide cannot be chosen); "
        "some translators reject the interchange with TA1 024 'invalid content' instead",
    ),
    SynthError.IEA01_COUNT: _ta1("IEA", "IEA01", "021"),
    SynthError.IEA02_MISMATCH: _ta1("IEA", "IEA02", "001"),
    SynthError.MISSING_IEA: _ta1("IEA", None, "023"),
    SynthError.BAD_ISA09_DATE: _ta1("ISA", "ISA09", "014"),
    SynthError.BAD_ISA13: _ta1("ISA", "ISA13", "018"),
    SynthError.BAD_ISA15: _ta1("ISA", "ISA15", "020"),
    SynthError.SEGMENT_OUTSIDE_ENVELOPE: ErrorInfo(
        Category.ENVELOPE,
        True,
        "NTE",
        None,
        None,
        None,
        None,
        certain=False,
        note="no interchange owns it, so no TA1 can name it; report a file-level error "
        "(some translators send TA1 022 'invalid control structure' for the next ISA)",
    ),
    SynthError.INVALID_NPI: ErrorInfo(
        Category.SCHEMA,
        False,
        "NM1",
        "NM109",
        "999",
        "IK403",
        "I12",
        certain=False,
        note="2010AA NPI check digit; I12 'implementation pattern match failure' (some use 7, "
        "others treat it as SNIP 4 and reject in a 277CA)",
    ),
    SynthError.UNBALANCED_CLAIM: ErrorInfo(
        Category.BUSINESS,
        False,
        "CLM",
        "CLM02",
        None,
        None,
        None,
        note="SNIP 3 balancing: CLM02 != sum of SV102; not a 999 syntax error",
    ),
}


@dataclass(frozen=True, slots=True)
class ExpectedProblem:
    """One injected error where it was written. Indices are 0-based over the whole file.

    Interchange-scoped errors name the interchange (SEGMENT_OUTSIDE_ENVELOPE: the stray
    segment follows that interchange); group-, set- and claim-scoped ones also name the
    enclosing units, and set- and claim-scoped ones the set's idempotency key.
    """

    error: SynthError
    info: ErrorInfo
    interchange: int
    isa13: str
    group: int | None = None
    gs06: str | None = None
    set: int | None = None
    st02: str | None = None
    key: str | None = None  # idempotency key of the set concerned
    claim: int | None = None


@dataclass(frozen=True, slots=True)
class SynthSummary:
    interchanges: int
    groups: int
    sets: int
    claims: int
    problems: tuple[ExpectedProblem, ...]

    @property
    def envelope_valid(self) -> bool:
        return not any(p.info.envelope_invalid for p in self.problems)


def summarize(options: SynthOptions) -> SynthSummary:
    """Counts and expected problems, without generating any claim."""
    lay = Layout(options)
    problems = [_locate(lay, e, at) for e, indices in lay.injected.items() for at in indices]
    problems.sort(
        key=lambda p: (p.interchange, p.group or 0, p.set or 0, p.claim or 0, p.error.value)
    )
    return SynthSummary(
        options.interchanges, options.groups, options.sets, options.claims, tuple(problems)
    )


def _locate(lay: Layout, error: SynthError, at: int) -> ExpectedProblem:
    info = ERROR_INFO[error]
    claim = s = g = None
    if error.scope is Scope.CLAIM:
        claim, s = at, lay.set_of_claim(at)
    elif error.scope is Scope.SET:
        s = at
    if s is not None:
        g = lay.group_of_set(s)
    elif error.scope is Scope.GROUP:
        g = at
    i = lay.interchange_of_group(g) if g is not None else at
    return ExpectedProblem(
        error=error,
        info=info,
        interchange=i,
        isa13=lay.isa13(i),
        group=g,
        gs06=lay.gs06(g) if g is not None else None,
        set=s,
        st02=lay.st02(s) if s is not None else None,
        key=lay.key(s) if s is not None else None,
        claim=claim,
    )
