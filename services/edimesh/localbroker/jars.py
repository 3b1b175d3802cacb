"""Fetching the broker's jars from Maven Central into the cache, once.

Maven writes into a fresh temporary folder next to the cache's `libs/`; only a complete
download is renamed to `libs/`, so a fetch killed half-way leaves nothing that looks usable.
A file lock serialises concurrent fetches (two test sessions, or the CLI and a test run).
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from edimesh.localbroker.defaults import DEFAULT_KAFKA_VERSION, DEPENDENCY_PLUGIN_VERSION
from edimesh.localbroker.errors import BrokerError, FetchError, MavenCentralUnreachableError
from edimesh.localbroker.paths import kafka_home
from edimesh.localbroker.pom import render_pom
from edimesh.localbroker.tools import find_mvn

logger = logging.getLogger(__name__)

PLUGIN = f"org.apache.maven.plugins:maven-dependency-plugin:{DEPENDENCY_PLUGIN_VERSION}"
FETCH_TIMEOUT_S = 900.0
LOCK_TIMEOUT_S = FETCH_TIMEOUT_S + 60.0

# Maven/Aether phrasings of "the repository could not be reached" (DNS, TCP, proxy, TLS).
_NETWORK_CAUSE = re.compile(
    r"UnknownHost|Unknown host|Temporary failure in name resolution|Connection refused"
    r"|Connect(ion)? timed out|Read timed out|Network is unreachable|No route to host"
    r"|PKIX path building failed|SSLHandshakeException|Remote host terminated",
    re.IGNORECASE,
)
_TRANSFER_FAILED = re.compile(r"Could not transfer|transfer failed|Failed to transfer", re.I)
_NOT_FOUND = re.compile(r"Could not find artifact|was not found in|Failure to find", re.I)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_DETAIL_LIMIT = 240


def libs_dir(home: Path) -> Path:
    return home / "libs"


def broker_jar(libs: Path, version: str) -> Path:
    return libs / f"kafka_2.13-{version}.jar"


def jars_present(home: Path, version: str) -> bool:
    """True once a complete fetch was renamed into place (or jars were put there by hand)."""
    return broker_jar(libs_dir(home), version).is_file()


def _first_error_line(output: str) -> str:
    """Maven's first `[ERROR]` line (the cause; the rest is boilerplate), without colours."""
    lines = [_ANSI.sub("", line).strip() for line in output.splitlines()]
    for line in lines:
        text = line.removeprefix("[ERROR]").strip()
        if line.startswith("[ERROR]") and text:
            return text.removesuffix("-> [Help 1]").strip()
    texts = [line for line in lines if line]
    return texts[-1] if texts else "no output"


def _detail(line: str, pattern: re.Pattern[str]) -> str:
    """The tail of Maven's `a: b: c` chain from the first segment that names the cause."""
    parts = line.split(": ")
    start = next((i for i, part in enumerate(parts) if pattern.search(part)), 0)
    return ": ".join(parts[start:])[:_DETAIL_LIMIT]


def classify_maven_failure(output: str, returncode: int, version: str) -> FetchError:
    """Turn a failed mvn run into the error that says what to do."""
    line = _first_error_line(output)
    if _NETWORK_CAUSE.search(line) or _TRANSFER_FAILED.search(line):
        cause = _NETWORK_CAUSE if _NETWORK_CAUSE.search(line) else _TRANSFER_FAILED
        return MavenCentralUnreachableError(
            f"Maven could not reach Maven Central ({_detail(line, cause)}): check"
            " the network or the proxy in ~/.m2/settings.xml, then run `edimesh broker fetch`"
        )
    if _NOT_FOUND.search(line):
        return FetchError(
            f"Maven Central has no Kafka {version} or one of its dependencies"
            f" ({_detail(line, _NOT_FOUND)}): pick an existing --kafka-version"
        )
    return FetchError(f"mvn failed with exit code {returncode}: {line[:_DETAIL_LIMIT]}")


@contextmanager
def _fetch_lock(home: Path, timeout: float) -> Iterator[None]:
    home.mkdir(parents=True, exist_ok=True)
    with (home / ".fetch.lock").open("w") as lock:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise FetchError(
                        f"another fetch holds {home / '.fetch.lock'} for over {timeout:.0f}s:"
                        " wait for it or kill it, then retry"
                    ) from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _clean_leftovers(home: Path) -> None:
    """Remove partial downloads of earlier, interrupted fetches (we hold the lock)."""
    for stale in home.glob("libs.*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)


def _run_maven(mvn: Path, pom: Path, out_dir: Path, version: str, timeout: float) -> None:
    argv = [
        str(mvn), "-B", "-q", "-U", "-Dstyle.color=never", "-f", str(pom),
        # Full coordinates: a prefix (`dependency:`) would need a download just to resolve.
        f"{PLUGIN}:copy-dependencies", f"-DoutputDirectory={out_dir}",
    ]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            argv, capture_output=True, text=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL, cwd=pom.parent,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise FetchError(
            f"mvn did not finish within {timeout:.0f}s: check the network, then retry"
        ) from exc
    except OSError as exc:
        raise FetchError(f"could not run {mvn}: {exc}") from exc
    if done.returncode != 0:
        raise classify_maven_failure(done.stdout + done.stderr, done.returncode, version)
    if not broker_jar(out_dir, version).is_file():
        raise FetchError(
            f"mvn reported success but copied no kafka_2.13-{version}.jar: run"
            f" `mvn -f {pom} {PLUGIN}:copy-dependencies` by hand to see why"
        )


def _install(tmp: Path, home: Path) -> None:
    """Swap the complete download in as `libs/` (replacing another version's jars, if any)."""
    target = libs_dir(home)
    tmp.chmod(0o755)  # mkdtemp made it private; the cache is meant to be readable
    old: Path | None = None
    if target.exists():
        old = home / f"libs.{os.getpid()}.old.tmp"
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def fetch_jars(
    version: str = DEFAULT_KAFKA_VERSION,
    home: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = FETCH_TIMEOUT_S,
) -> Path:
    """Make sure the broker jars for `version` are cached; return the `libs/` folder.

    Does nothing when they already are. Raises BrokerError subclasses with one-line messages.
    """
    home = kafka_home(version, env) if home is None else home
    if jars_present(home, version):
        return libs_dir(home)
    try:
        with _fetch_lock(home, LOCK_TIMEOUT_S):
            if jars_present(home, version):  # another process finished while we waited
                return libs_dir(home)
            mvn = find_mvn(env)
            _clean_leftovers(home)
            pom = home / "pom.xml"
            pom.write_text(render_pom(version), encoding="utf-8")
            tmp = Path(tempfile.mkdtemp(prefix="libs.", suffix=".tmp", dir=home))
            logger.info("fetching Kafka %s jars from Maven Central into %s", version, home)
            started = time.monotonic()
            try:
                _run_maven(mvn, pom, tmp, version, timeout)
                _install(tmp, home)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            logger.info("fetched Kafka %s in %.1fs", version, time.monotonic() - started)
    except OSError as exc:  # not writable, disk full
        raise BrokerError(
            f"cannot write the jar cache {home} ({exc}): set EDIMESH_KAFKA_HOME"
        ) from exc
    return libs_dir(home)
