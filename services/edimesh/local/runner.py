"""`edimesh local`: the whole mesh on this machine, fed, watched, summarised and stopped.

Order of start: broker (own process group), topics, SFTP source, the services as
`edimesh run <service>` children, the watcher, then the feed. Order of stop is the reverse:
the children get SIGTERM (their graceful drain) and SIGKILL after the grace period, the SFTP
server closes, the broker stops. Ctrl-C and SIGTERM take the same path at any point.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from rich.console import Console
from rich.text import Text

from edimesh.local.display import (
    TITLES,
    ProgressDisplay,
    reach_lines,
    summary_table,
    write_summary,
)
from edimesh.local.feed import (
    FeedItem,
    inbox_items,
    partner_for,
    partners_toml,
    place,
    sample_items,
    upload,
)
from edimesh.local.layout import LocalOptions, RemoteSftp, RunLayout
from edimesh.local.outputs import OutputWriter
from edimesh.local.processes import (
    Child,
    edimesh_command,
    record_pids,
    spawn,
    stop_all,
)
from edimesh.local.samples import plan_samples
from edimesh.local.services import SERVICES, acknowledger_available, service_env
from edimesh.local.sftpd import ARCHIVE, INBOUND, EmbeddedSftpServer, SftpCredentials
from edimesh.local.summary import RateMeter, Summary, progress_line, summarize
from edimesh.local.tally import Tally
from edimesh.local.watch import Watcher
from edimesh.localbroker import BrokerConfig, LocalBroker, free_ports
from edimesh.mesh.admin import ensure_topics
from edimesh.mesh.topics import mesh_topics
from edimesh.transfer.partners import Partner

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
PIDS_EVERY_S = 2.0


@dataclass
class _Outcome:
    state: str  # done | interrupted | timeout | failed
    detail: str = ""


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class LocalRun:
    def __init__(self, options: LocalOptions, stdout: Console, stderr: Console) -> None:
        self.options = options
        self.layout = RunLayout(options.run_dir)
        self.out = stdout
        self.err = stderr
        self.with_acks = acknowledger_available()
        self.broker: LocalBroker | None = None
        self.children: list[Child] = []
        self.summary: Summary | None = None
        self._first_staged: float | None = None  # seconds after the feed started
        self._inbound: Path | None = None  # the embedded server's inbox folder

    # ------------------------------------------------------------------ entry point
    def run(self) -> int:
        """Everything, start to stop; the exit code."""
        self.layout.prepare(self.options.out_dir)
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            items = self._feed_items()
            if self.options.sftp is not None:
                self._remote_partner(self.options.sftp)  # refuse bad settings before any start
            self._start_broker()
            return asyncio.run(self._mesh(items))
        except KeyboardInterrupt:
            self.err.print("interrupted")
            return EXIT_INTERRUPTED
        finally:
            # A second Ctrl-C must not abort the cleanup half-way (the broker runs in its own
            # session and would be left behind); the grace period bounds the wait instead.
            previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            try:
                stop_all(self.children, self.options.grace_s)  # no-op once _mesh stopped them
                if self.broker is not None:
                    self.err.print("stopping Kafka")
                    self.broker.stop()
            finally:
                signal.signal(signal.SIGTERM, previous)
                signal.signal(signal.SIGINT, previous_int)

    def _feed_items(self) -> list[FeedItem]:
        if self.options.inbox is not None:
            return inbox_items(self.options.inbox)
        samples = plan_samples(
            self.options.claims, errors=self.options.errors, seed=self.options.seed
        )
        return list(sample_items(samples))

    def _start_broker(self) -> None:
        port, controller = free_ports(2)
        config = BrokerConfig(
            data_dir=self.layout.kafka,
            port=port,
            controller_port=controller,
            heap_max=self.options.heap,
        )
        self.broker = LocalBroker(config)
        self.err.print(f"starting Kafka on {config.bootstrap} (data in {config.data_dir})")
        self.broker.start()

    # ------------------------------------------------------------------ the asyncio part
    async def _mesh(self, items: list[FeedItem]) -> int:
        assert self.broker is not None  # started by run()
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        bootstrap = self.broker.bootstrap
        topics = mesh_topics(partitions=self.options.partitions)
        await ensure_topics(bootstrap, topics.all(), timeout_s=60.0)
        async with AsyncExitStack() as stack:
            partner = await self._sftp_source(stack)
            self.layout.partners_file.write_text(partners_toml(partner), encoding="utf-8")
            stack.push_async_callback(self._stop_children)
            self._spawn_services(bootstrap)
            tally = Tally()
            writer = OutputWriter(self.options.out_dir)
            stack.callback(writer.close)
            watcher = await stack.enter_async_context(Watcher(bootstrap, topics, tally, writer))
            started = time.monotonic()
            feed = asyncio.create_task(self._feed(partner, items, tally))
            stack.push_async_callback(_cancel, feed)
            outcome = await self._watch(
                watcher, tally, feed, stop=stop, files=len(items), started=started
            )
            seconds = time.monotonic() - started
            busy = seconds - (self._first_staged or seconds)
            self.summary = summarize(
                tally,
                files_fed=len(items),
                seconds=seconds,
                busy_seconds=busy,
                complete=outcome.state == "done",
            )
            self._report(outcome, self.summary)
            if outcome.state == "done" and self.options.keep_running:
                self._print_reach(bootstrap, partner)
                while not stop.is_set():  # outputs keep flowing into the folder
                    await watcher.poll(500)
                return EXIT_OK
        return {"done": EXIT_OK, "interrupted": EXIT_INTERRUPTED}.get(outcome.state, EXIT_FAILED)

    async def _sftp_source(self, stack: AsyncExitStack) -> Partner:
        if self.options.sftp is not None:
            return self._remote_partner(self.options.sftp)
        server = EmbeddedSftpServer(self.layout.sftp_root, self.layout.keys)
        await stack.enter_async_context(server)
        self._inbound = server.inbound
        assert server.credentials is not None  # set on entry
        self.err.print(
            f"SFTP source on {server.credentials.host}:{server.credentials.port}"
            f" serving {server.root}"
        )
        return partner_for(server.credentials, f"/{INBOUND}", f"/{ARCHIVE}")

    @staticmethod
    def _remote_partner(remote: RemoteSftp) -> Partner:
        creds = SftpCredentials(
            remote.host, remote.port, remote.user, remote.private_key, remote.known_hosts
        )
        return partner_for(creds, remote.inbound_dir, remote.archive_dir)

    def _spawn_services(self, bootstrap: str) -> None:
        env = service_env(
            self.layout, bootstrap, trace=self.options.trace, masking_key=secrets.token_urlsafe(48)
        )
        names = [*SERVICES, "acknowledger"] if self.with_acks else list(SERVICES)
        command = edimesh_command()
        for name in names:
            self.children.append(spawn(name, [*command, "run", name], env, self.layout.logs))
        missing = "" if self.with_acks else " (no acknowledger in this edimesh: no 999s)"
        self.err.print(f"started {', '.join(names)}{missing}; logs in {self.layout.logs}")

    async def _stop_children(self) -> None:
        # In a thread: the embedded SFTP server keeps serving the transfer's drain meanwhile.
        await asyncio.to_thread(stop_all, self.children, self.options.grace_s)
        self._write_pids()

    async def _feed(self, partner: Partner, items: list[FeedItem], tally: Tally) -> int:
        async def before(item: FeedItem, fed: int) -> None:
            while item.after_previous and tally.files_finished < fed:  # noqa: ASYNC110 - the watch loop updates the tally; a 0.1 s poll is cheap
                await asyncio.sleep(0.1)

        if self._inbound is not None:
            return await place(self._inbound, items, before)
        return await upload(partner, items, before)

    async def _watch(
        self,
        watcher: Watcher,
        tally: Tally,
        feed: asyncio.Task[int],
        *,
        stop: asyncio.Event,
        files: int,
        started: float,
    ) -> _Outcome:
        rate = RateMeter()
        last_pids = 0.0
        with ProgressDisplay(self.err) as display:
            while True:
                await watcher.poll(250)
                now = time.monotonic()
                if tally.staged and self._first_staged is None:
                    self._first_staged = now - started
                if stop.is_set():
                    return _Outcome("interrupted")
                if feed.done() and feed.exception() is not None:
                    return _Outcome("failed", f"feeding the inbox failed: {feed.exception()!r}")
                for child in self.children:
                    if (code := child.poll()) is not None:
                        return _Outcome(
                            "failed", f"{child.name} exited with {code}; see {child.log}"
                        )
                speed = rate.update(now, tally.claims)
                line = progress_line(tally, files_fed=files, seconds=now - started, rate=speed)
                if feed.done() and tally.done(files, expect_999s=self.with_acks):
                    display.update(line, force=True)
                    return _Outcome("done")
                if now - started > self.options.timeout_s:
                    return _Outcome("timeout", f"not done after {self.options.timeout_s:g}s")
                display.update(line)
                if now - last_pids >= PIDS_EVERY_S:
                    last_pids = now
                    self._write_pids()

    # ------------------------------------------------------------------ reporting
    def _write_pids(self) -> None:
        broker_pid = self.broker.pid if self.broker is not None else None
        record_pids(self.layout.pids_file, self.children, broker_pid)

    def _report(self, outcome: _Outcome, summary: Summary) -> None:
        write_summary(self.options.out_dir / "summary.json", outcome.state, summary)
        self.out.print(summary_table(summary, TITLES[outcome.state]))
        if outcome.detail:
            self.err.print(Text(f"error: {outcome.detail}", style="red"))
        self.err.print(f"outputs in {self.options.out_dir}")

    def _print_reach(self, bootstrap: str, partner: Partner) -> None:
        for line in reach_lines(bootstrap, partner, self.layout.logs, self.options.out_dir):
            self.err.print(Text(line))


async def _cancel(task: asyncio.Task[int]) -> None:
    if not task.done():
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


def default_run_dir() -> Path:
    """`${XDG_STATE_HOME:-~/.local/state}/edimesh/local`, next to the broker's own data."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path("~/.local/state").expanduser())
    return Path(state) / "edimesh" / "local"
