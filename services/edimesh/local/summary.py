"""The local run's progress line and final summary, computed from a `Tally` (pure)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from edimesh.local.tally import Tally

TOP_FINDINGS = 5


@dataclass(frozen=True, slots=True)
class Summary:
    """The numbers `edimesh local` prints at the end (and writes as summary.json)."""

    complete: bool
    seconds: float  # from the start of the feed
    busy_seconds: float  # from the first file staged: the mesh's own processing time
    files_fed: int
    files_staged: int
    interchanges: int
    sets: int
    validated: int
    claims: int
    quarantined: int
    quarantined_sets: int
    dlq: int
    acks_999: int
    acks_ta1: int
    groups: int
    quarantine_by_kind: dict[str, int]
    acks_by_status: dict[str, int]
    top_findings: list[tuple[str, int]]

    @property
    def claims_per_second(self) -> float:
        """Validated claims per second of processing (from the first file staged)."""
        return self.claims / self.busy_seconds if self.busy_seconds > 0 else 0.0

    def as_json(self) -> dict[str, object]:
        out = asdict(self)
        out["claims_per_second"] = round(self.claims_per_second, 1)
        out["top_findings"] = [{"code": c, "count": n} for c, n in self.top_findings]
        return out

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the summary table, in print order."""
        rows = [
            ("files", f"{self.files_staged} staged of {self.files_fed} fed"),
            ("interchanges", str(self.interchanges)),
            ("transaction sets", str(self.sets)),
            ("validated", f"{self.validated} ({self.claims} claims)"),
            ("quarantined", _with_parts(self.quarantined, self.quarantine_by_kind)),
            ("dlq", str(self.dlq)),
            ("999s", _with_parts(self.acks_999, _only(self.acks_by_status, "999"))),
            ("TA1s", _with_parts(self.acks_ta1, _only(self.acks_by_status, "TA1"))),
            (
                "wall time",
                f"{self.seconds:.1f} s ({self.busy_seconds:.1f} s from the first file staged)",
            ),
            ("claims/s", f"{self.claims_per_second:,.0f} (validated, from the first file staged)"),
        ]
        if self.top_findings:
            codes = ", ".join(f"{code} x{count}" for code, count in self.top_findings)
            rows.append(("top finding codes", codes))
        return rows


def _only(counts: dict[str, int], label: str) -> dict[str, int]:
    return {name.split()[1]: n for name, n in counts.items() if name.split()[0] == label}


def _with_parts(total: int, parts: dict[str, int]) -> str:
    if not parts:
        return str(total)
    inner = ", ".join(f"{name.lower()} {n}" for name, n in sorted(parts.items()))
    return f"{total} ({inner})"


def summarize(
    tally: Tally, *, files_fed: int, seconds: float, busy_seconds: float, complete: bool
) -> Summary:
    return Summary(
        complete=complete,
        seconds=seconds,
        busy_seconds=busy_seconds,
        files_fed=files_fed,
        files_staged=len(tally.staged),
        interchanges=tally.interchanges,
        sets=len(tally.sets),
        validated=tally.validated,
        claims=tally.claims,
        quarantined=tally.quarantined_total,
        quarantined_sets=tally.quarantined_sets,
        dlq=tally.dlq_total,
        acks_999=tally.ack_count("999"),
        acks_ta1=tally.ack_count("TA1"),
        groups=len(tally.groups),
        quarantine_by_kind=dict(sorted(tally.quarantined.items())),
        acks_by_status=dict(sorted(tally.acks.items())),
        top_findings=tally.findings.most_common(TOP_FINDINGS),
    )


def progress_line(tally: Tally, *, files_fed: int, seconds: float, rate: float) -> str:
    """One line: files staged/done, sets routed, claims per second, routes."""
    done = len(tally.files_done) + len(tally.files_failed)
    return (
        f"{seconds:5.1f}s  files {len(tally.staged)}/{files_fed} staged, {done} split"
        f" | sets {len(tally.routed & tally.sets)}/{len(tally.sets)} routed"
        f" | {rate:,.0f} claims/s"
        f" | validated {tally.validated}  quarantined {tally.quarantined_total}"
        f"  dlq {tally.dlq_total}  999 {tally.ack_count('999')}  TA1 {tally.ack_count('TA1')}"
    )


class RateMeter:
    """Claims per second over a sliding window of (time, total) samples."""

    def __init__(self, window_s: float = 3.0) -> None:
        self._window = window_s
        self._samples: list[tuple[float, int]] = []

    def update(self, now: float, total: int) -> float:
        self._samples.append((now, total))
        while len(self._samples) > 2 and now - self._samples[0][0] > self._window:
            self._samples.pop(0)
        first_t, first_n = self._samples[0]
        return (total - first_n) / (now - first_t) if now > first_t else 0.0
