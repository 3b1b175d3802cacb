"""The summary table and the progress line, from a tally."""

from __future__ import annotations

import copy
from typing import Any

from edimesh.local.summary import RateMeter, progress_line, summarize
from edimesh.local.tally import Kind, Tally
from edimesh.mesh.schemas import MessageType
from tests.unit.mesh_samples import SAMPLES


def _tally() -> Tally:
    tally = Tally()
    for n in range(3):
        record: dict[str, Any] = copy.deepcopy(SAMPLES[MessageType.VALIDATED_TRANSACTION])
        record["idempotency_key"] = f"k{n}"
        record["summary"]["claim_count"] = 10
        tally.add(Kind.VALIDATED, record)
        tally.add(Kind.TRANSACTIONS, {"idempotency_key": f"k{n}"})
    tally.add(Kind.TRANSACTIONS, {"idempotency_key": "k9"})
    tally.add(Kind.QUARANTINE, SAMPLES[MessageType.QUARANTINED])
    tally.add(Kind.ACKS, {**SAMPLES[MessageType.ACKNOWLEDGMENT], "kind": "TA1", "status": "E"})
    tally.add(Kind.STAGED, SAMPLES[MessageType.FILE_STAGED])
    return tally


def test_summary_counts_and_rates() -> None:
    summary = summarize(_tally(), files_fed=2, seconds=10.0, busy_seconds=5.0, complete=False)
    assert (summary.files_fed, summary.files_staged, summary.sets) == (2, 1, 4)
    assert (summary.validated, summary.claims, summary.quarantined) == (3, 30, 1)
    assert (summary.quarantined_sets, summary.acks_ta1, summary.acks_999) == (1, 1, 0)
    assert summary.claims_per_second == 6.0  # 30 claims in the 5 busy seconds
    assert summary.top_findings == [("IK403_7", 1), ("X12_SYNTAX", 1)]
    as_json = summary.as_json()
    assert as_json["claims_per_second"] == 6.0
    assert as_json["top_findings"] == [
        {"code": "IK403_7", "count": 1},
        {"code": "X12_SYNTAX", "count": 1},
    ]


def test_summary_rows_name_every_figure() -> None:
    rows = dict(summarize(_tally(), files_fed=2, seconds=1, busy_seconds=1, complete=True).rows())
    assert rows["files"] == "1 staged of 2 fed"
    assert rows["validated"] == "3 (30 claims)"
    assert rows["quarantined"] == "1 (transaction_set/schema 1)"
    assert rows["TA1s"] == "1 (e 1)"
    assert rows["999s"] == "0"
    assert rows["top finding codes"] == "IK403_7 x1, X12_SYNTAX x1"


def test_no_claims_per_second_before_anything_was_staged() -> None:
    summary = summarize(Tally(), files_fed=1, seconds=3.0, busy_seconds=0.0, complete=False)
    assert summary.claims_per_second == 0.0
    assert "top finding codes" not in dict(summary.rows())


def test_progress_line() -> None:
    line = progress_line(_tally(), files_fed=2, seconds=4.25, rate=1234.4)
    assert line == (
        "  4.2s  files 1/2 staged, 0 split | sets 3/4 routed | 1,234 claims/s"
        " | validated 3  quarantined 1  dlq 0  999 0  TA1 1"
    )


def test_rate_meter_uses_a_sliding_window() -> None:
    meter = RateMeter(window_s=2.0)
    assert meter.update(0.0, 0) == 0.0
    assert meter.update(1.0, 100) == 100.0
    assert meter.update(2.0, 200) == 100.0
    assert meter.update(4.0, 1200) == 500.0  # the sample at 0 s fell out of the window
