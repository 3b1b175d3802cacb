"""Live progress on stderr (a refreshing line on a terminal, a line every few seconds
otherwise) and the final summary table on stdout."""

from __future__ import annotations

import json
import time
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from edimesh.local.summary import Summary
from edimesh.transfer.partners import Partner

PLAIN_EVERY_S = 5.0
TITLES = {
    "done": "edimesh local: done",
    "interrupted": "edimesh local: interrupted",
    "timeout": "edimesh local: incomplete",
    "failed": "edimesh local: failed",
}


class ProgressDisplay:
    def __init__(self, console: Console) -> None:
        self._console = console
        self._live: Live | None = None
        self._last_plain = 0.0

    def __enter__(self) -> ProgressDisplay:
        if self._console.is_terminal:
            self._live = Live(Text(""), console=self._console, refresh_per_second=4)
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, line: str, *, force: bool = False) -> None:
        if self._live is not None:
            self._live.update(Text(line))
            return
        now = time.monotonic()
        if force or now - self._last_plain >= PLAIN_EVERY_S:
            self._last_plain = now
            self._console.print(Text(line))

    def close(self) -> None:
        live, self._live = self._live, None
        if live is not None:
            live.stop()


def summary_table(summary: Summary, title: str) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("count")
    for label, value in summary.rows():
        table.add_row(label, value)
    return table


def write_summary(path: Path, outcome: str, summary: Summary) -> None:
    document = {"outcome": outcome, **summary.as_json()}
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def reach_lines(bootstrap: str, partner: Partner, logs: Path, out: Path) -> list[str]:
    """How to reach a mesh left running (--keep-running)."""
    return [
        "the mesh keeps running (--keep-running); Ctrl-C stops everything.",
        f"  Kafka:   EDIMESH_BOOTSTRAP={bootstrap} edimesh topics tail edi.validated",
        f"  SFTP:    sftp -i {partner.private_key} -o UserKnownHostsFile={partner.known_hosts}"
        f" -P {partner.port} {partner.user}@{partner.host}  (upload to {partner.inbound_dir})",
        f"  logs:    {logs}",
        f"  outputs: {out} (appended while it runs)",
    ]
