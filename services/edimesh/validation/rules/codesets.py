"""SNIP 5: external code sets.

Elements the guides mark ``@NAME`` are checked here by name (NPI, state, ZIP, place of
service, CARC, RARC, taxonomy, country, service type); diagnosis and procedure codes are
checked with their qualifiers (ABK/ABF are ICD-10-CM, BK/BF ICD-9-CM; HC is CPT/HCPCS, AD
is CDT). A code set that is not loaded gives one finding per set that says so.
"""

from __future__ import annotations

import re
from typing import Final

from edimesh.validation import findings as f
from edimesh.validation.codesets import icd10
from edimesh.validation.codesets import lists as cs
from edimesh.validation.codesets.npi import is_valid_npi
from edimesh.validation.findings import Finding, Severity, Snip
from edimesh.validation.rules.report import at
from edimesh.validation.tree import Seg, el

_ICD10_DX: Final = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN"})
_ICD9_DX: Final = frozenset({"BK", "BF", "BJ", "PR", "BN"})
_PROCEDURE_ELEMENT: Final = {"SV1": 1, "SV2": 2, "SV3": 1, "SVC": 1, "SVD": 3}
# Code sets checked for format only: a set that uses them is told so once.
FORMAT_ONLY: Final = {
    "HCPCS": "CPT/HCPCS procedure codes were checked for format only (code set not loaded)",
    "CDT": "CDT dental procedure codes were checked for format only (code set not loaded)",
    "CARC": "claim adjustment reason codes were checked for format only (code set not loaded)",
    "RARC": "remittance advice remark codes were checked for format only (code set not loaded)",
    "TAXONOMY": "provider taxonomy codes were checked for format only (code set not loaded)",
    "SERVICE_TYPE": "service type codes were checked for format only (code set not loaded)",
}


class CodeSetChecker:
    def __init__(self, component: str, repetition: str) -> None:
        self.component = component
        self.repetition = repetition
        self.out: list[Finding] = []
        self.used: set[str] = set()
        loaded = icd10.load()
        self.icd10 = loaded[0] if loaded else None

    def run(self, segs: list[Seg]) -> list[Finding]:
        """Check the segments the parser set aside (``CSeg.coded``)."""
        comp = self.component
        procedure = _PROCEDURE_ELEMENT.get
        for seg in segs:
            node, els, _ = seg
            for i, j, name in node.externals:
                value = els[i] if i < len(els) else ""
                if j and value:
                    parts = value.split(comp)
                    value = parts[j - 1] if j <= len(parts) else ""
                if value:
                    problem = self._check(name, value, els, seg, i, j)
                    if problem:
                        self._report(seg, problem, i, j, name)
            seg_id = els[0]
            if seg_id == "HI":
                self._diagnoses(seg)
            else:
                n = procedure(seg_id)
                if n is not None:
                    self._procedure(seg, n)
        self._not_loaded()
        return self.out

    def _check(self, name: str, value: str, els: list[str], seg: Seg, i: int,  # noqa: PLR0917
               j: int) -> str | None:
        """One external code set check by name; direct calls, as this runs for most segments."""
        if name == "NPI":
            return self._npi(value, els, seg, i, j)
        if name == "ZIP":
            return self._zip(value, els, seg, i, j)
        if name == "STATE":
            return self._state(value, els, seg, i, j)
        if name == "POS":
            return self._pos(value, seg, i, j)
        if name == "SERVICE_TYPE":
            return self._service_types(value, seg, i)
        pattern = _FORMATS.get(name)
        if pattern is None:
            raise KeyError(f"no check for code set {name}")
        self.used.add(name)
        if pattern.match(value):
            return None
        return f"{_ref(seg, i, j)} is not in the format of a {name} code"

    def _report(self, seg: Seg, message: str, i: int, j: int, name: str) -> None:
        code = f.IK4_PATTERN_MISMATCH if name == "NPI" else f.IK4_INVALID_CODE
        self.out.append(at(seg, f"snip5.{name.lower()}", Snip.CODE_SETS, message, i, j or None,
                           ik403=code))

    def _npi(self, value: str, els: list[str], seg: Seg, i: int, j: int) -> str | None:
        qualifier = el(els, i - 1) if not j else "XX"
        if qualifier != "XX" or is_valid_npi(value):
            return None
        return f"{seg[0].id}{i:02d} is not a valid NPI (check digit)"

    def _state(self, value: str, els: list[str], seg: Seg, i: int, j: int) -> str | None:
        if seg[0].id == "N4" and el(els, 4) not in ("", "US", "CA"):
            return None
        return None if value in cs.STATES else f"{seg[0].id}{i:02d} is not a state code"

    def _zip(self, value: str, els: list[str], seg: Seg, i: int, j: int) -> str | None:
        country, state = el(els, 4), el(els, 2)
        if country in ("", "US") and state not in cs.CA_PROVINCES:
            ok = cs.US_ZIP.match(value) is not None
        elif country == "CA" or state in cs.CA_PROVINCES:
            ok = cs.CA_POSTAL.match(value) is not None
        else:
            ok = True
        return None if ok else f"{seg[0].id}{i:02d} is not a valid postal code"

    def _pos(self, value: str, seg: Seg, i: int, j: int) -> str | None:
        if value in cs.PLACES_OF_SERVICE:
            return None
        return f"{_ref(seg, i, j)} is not a CMS place of service code"

    def _service_types(self, value: str, seg: Seg, i: int) -> str | None:
        self.used.add("SERVICE_TYPE")
        for code in value.split(self.repetition) if self.repetition else (value,):
            if not cs.SERVICE_TYPE.match(code):
                return f"{seg[0].id}{i:02d} has a service type code of the wrong format"
        return None

    def _diagnoses(self, seg: Seg) -> None:
        for i, composite in enumerate(seg[1][1:], 1):
            qual, _, rest = composite.partition(self.component)
            code = rest.split(self.component, 1)[0]
            if not code:
                continue
            if qual in _ICD10_DX:
                self.used.add("ICD10")
                if self.icd10 is not None and code not in self.icd10:
                    self.out.append(at(seg, "snip5.icd10cm", Snip.CODE_SETS,
                                       f"HI{i:02d}-2 is not a billable ICD-10-CM code", i, 2,
                                       ik403=f.IK4_INVALID_CODE))
            elif qual in _ICD9_DX:
                self.used.add("ICD9")
                if "." in code:
                    self.out.append(at(seg, "snip5.icd9cm", Snip.CODE_SETS,
                                       f"HI{i:02d}-2 has a decimal point, which X12 leaves out",
                                       i, 2, ik403=f.IK4_INVALID_CODE))

    def _procedure(self, seg: Seg, n: int) -> None:
        value = seg[1][n] if n < len(seg[1]) else ""
        parts = value.split(self.component)
        qual, code = parts[0], parts[1] if len(parts) > 1 else ""
        if not code:
            return
        if qual == "HC":
            self.used.add("HCPCS")
            hit = _HCPCS.get(code)  # memoized: the same codes on claim after claim (bounded)
            if hit is None:
                hit = cs.HCPCS.match(code) is not None
                if len(_HCPCS) < 65536:
                    _HCPCS[code] = hit
            bad = not hit
            name = "a CPT or HCPCS"
        elif qual == "AD":
            self.used.add("CDT")
            bad = not _matches(cs.CDT, code)
            name = "a CDT"
        else:
            return
        if not bad and len(parts) <= 2:
            return
        ref = f"{seg[0].id}{n:02d}"
        if bad:
            self.out.append(at(seg, "snip5.procedure_code", Snip.CODE_SETS,
                               f"{ref}-2 is not in the format of {name} code", n, 2,
                               ik403=f.IK4_INVALID_CODE))
        for k, modifier in enumerate(parts[2:6], 3):
            if modifier and cs.MODIFIER.match(modifier) is None:
                self.out.append(at(seg, "snip5.procedure_modifier", Snip.CODE_SETS,
                                   f"{ref}-{k} is not in the format of a modifier", n, k,
                                   ik403=f.IK4_INVALID_CODE))

    def _not_loaded(self) -> None:
        notes = [(FORMAT_ONLY[name], Severity.INFO) for name in sorted(self.used)
                 if name in FORMAT_ONLY]
        if "ICD10" in self.used and self.icd10 is None:
            notes.append(("ICD-10-CM code set not loaded (install simple-icd-10-cm): "
                          "diagnosis codes were not checked", Severity.WARNING))
        if "ICD9" in self.used:
            notes.append(("ICD-9-CM code set not loaded: ICD-9 diagnosis codes were not checked",
                          Severity.WARNING))
        for note, severity in notes:
            self.out.append(Finding(rule="snip5.code_set_not_loaded", snip=Snip.CODE_SETS,
                                    severity=severity, message=note))


# Code sets checked for format only, by name.
_FORMATS: Final[dict[str, re.Pattern[str]]] = {
    "CARC": cs.CARC, "RARC": cs.RARC, "TAXONOMY": cs.TAXONOMY, "COUNTRY": cs.COUNTRY,
}
_MATCHES: Final[dict[tuple[object, str], bool]] = {}
_HCPCS: Final[dict[str, bool]] = {}


def _ref(seg: Seg, i: int, j: int) -> str:
    return f"{seg[0].id}{i:02d}" + (f"-{j}" if j else "")


def _matches(pattern: re.Pattern[str], value: str) -> bool:
    """pattern.match, memoized: procedure codes repeat from claim to claim (bounded)."""
    key = (pattern, value)
    hit = _MATCHES.get(key)
    if hit is None:
        hit = pattern.match(value) is not None
        if len(_MATCHES) < 65536:
            _MATCHES[key] = hit
    return hit
