"""Fetching the broker jars, with a stand-in `mvn` (no network, no Maven, no Java)."""

from __future__ import annotations

import fcntl
import stat
from pathlib import Path

import pytest

from edimesh.localbroker import (
    FetchError,
    MavenCentralUnreachableError,
    MavenMissingError,
    fetch_jars,
    jars,
    jars_present,
)

VERSION = "4.1.2"
UNREACHABLE = (
    "\x1b[0m\x1b[0m[ERROR] Failed to execute goal on project kafka-broker-jars: Could not resolve"
    " dependencies for project local.edimesh:kafka-broker-jars:pom:4.1.2: Failed to collect"
    " dependencies at org.apache.kafka:kafka_2.13:jar:4.1.2: Could not transfer artifact"
    " org.apache.kafka:kafka_2.13:pom:4.1.2 from/to central (https://repo.maven.apache.org/maven2):"
    " transfer failed for https://repo.maven.apache.org/maven2/org/apache/kafka/kafka_2.13/4.1.2/"
    "kafka_2.13-4.1.2.pom: Unknown host repo.maven.apache.org: Temporary failure in name"
    " resolution -> [Help 1]\n[ERROR] \n[ERROR] To see the full stack trace of the errors, re-run"
    " Maven with the -e switch.\n"
)
NOT_FOUND = (
    "[ERROR] Failed to execute goal on project kafka-broker-jars: Could not resolve dependencies"
    " for project local.edimesh:kafka-broker-jars:pom:9.9.9: Could not find artifact"
    " org.apache.kafka:kafka_2.13:jar:9.9.9 in central (https://repo.maven.apache.org/maven2)"
    " -> [Help 1]\n[ERROR] \n"
)


def fake_mvn(bin_dir: Path, body: str) -> Path:
    """An executable `mvn` shell script; every run appends a line to bin_dir/runs."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "mvn"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{bin_dir}/runs"\n'
        'for arg in "$@"; do case "$arg" in -DoutputDirectory=*) out="${arg#*=}";; esac; done\n'
        f"{body}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def runs(bin_dir: Path) -> list[str]:
    path = bin_dir / "runs"
    return path.read_text().splitlines() if path.exists() else []


GOOD = f'touch "$out/kafka_2.13-{VERSION}.jar" "$out/kafka-clients-{VERSION}.jar"'


def test_fetches_once_then_does_nothing(tmp_path: Path) -> None:
    bin_dir, home = tmp_path / "bin", tmp_path / "home"
    fake_mvn(bin_dir, GOOD)
    env = {"PATH": str(bin_dir)}

    libs = fetch_jars(VERSION, home, env=env)
    assert libs == home / "libs"
    assert sorted(p.name for p in libs.iterdir()) == [
        f"kafka-clients-{VERSION}.jar",
        f"kafka_2.13-{VERSION}.jar",
    ]
    assert jars_present(home, VERSION)
    [argv] = runs(bin_dir)
    assert "-B" in argv.split()
    assert "maven-dependency-plugin" in argv
    assert (home / "pom.xml").is_file()

    assert fetch_jars(VERSION, home, env=env) == libs
    assert len(runs(bin_dir)) == 1


def test_a_half_finished_fetch_is_cleaned_up_and_redone(tmp_path: Path) -> None:
    bin_dir, home = tmp_path / "bin", tmp_path / "home"
    stale = home / "libs.12345.tmp"
    stale.mkdir(parents=True)
    (stale / "half-a-jar.jar").write_bytes(b"PK")
    fake_mvn(bin_dir, GOOD)

    fetch_jars(VERSION, home, env={"PATH": str(bin_dir)})

    assert not stale.exists()
    assert jars_present(home, VERSION)


def test_another_versions_jars_are_replaced(tmp_path: Path) -> None:
    bin_dir, home = tmp_path / "bin", tmp_path / "home"
    (home / "libs").mkdir(parents=True)
    (home / "libs" / "kafka_2.13-3.9.1.jar").write_bytes(b"PK")
    fake_mvn(bin_dir, GOOD)

    fetch_jars(VERSION, home, env={"PATH": str(bin_dir)})

    assert sorted(p.name for p in (home / "libs").iterdir()) == [
        f"kafka-clients-{VERSION}.jar",
        f"kafka_2.13-{VERSION}.jar",
    ]
    assert [p.name for p in home.iterdir() if p.name.startswith("libs.")] == []


def test_unreachable_maven_central(tmp_path: Path) -> None:
    bin_dir, home = tmp_path / "bin", tmp_path / "home"
    (tmp_path / "out.txt").write_text(UNREACHABLE)
    fake_mvn(bin_dir, f'touch "$out/partial.jar"; cat "{tmp_path}/out.txt"; exit 1')

    with pytest.raises(MavenCentralUnreachableError) as caught:
        fetch_jars(VERSION, home, env={"PATH": str(bin_dir)})

    message = str(caught.value)
    assert "\n" not in message
    assert "could not reach Maven Central" in message
    assert "Unknown host repo.maven.apache.org" in message
    assert "edimesh broker fetch" in message
    assert not jars_present(home, VERSION)
    assert [p.name for p in home.iterdir() if p.name.startswith("libs")] == []


def test_unknown_version(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    (tmp_path / "out.txt").write_text(NOT_FOUND)
    fake_mvn(bin_dir, f'cat "{tmp_path}/out.txt"; exit 1')

    with pytest.raises(FetchError, match=r"has no Kafka 9\.9\.9.*--kafka-version") as caught:
        fetch_jars("9.9.9", tmp_path / "home", env={"PATH": str(bin_dir)})
    assert not isinstance(caught.value, MavenCentralUnreachableError)
    assert "Could not find artifact org.apache.kafka:kafka_2.13:jar:9.9.9" in str(caught.value)


def test_maven_success_without_the_broker_jar(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake_mvn(bin_dir, "exit 0")
    with pytest.raises(FetchError, match=r"copied no kafka_2\.13-4\.1\.2\.jar"):
        fetch_jars(VERSION, tmp_path / "home", env={"PATH": str(bin_dir)})


def test_other_maven_failures_quote_the_first_error(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake_mvn(bin_dir, 'echo "[ERROR] The goal you specified requires a project"; exit 1')
    with pytest.raises(FetchError, match="exit code 1: The goal you specified requires a project"):
        fetch_jars(VERSION, tmp_path / "home", env={"PATH": str(bin_dir)})


def test_maven_missing(tmp_path: Path) -> None:
    with pytest.raises(MavenMissingError, match=r"mvn \(Apache Maven\) not found: install it"):
        fetch_jars(VERSION, tmp_path / "home", env={"PATH": str(tmp_path / "empty")})


def test_maven_missing_does_not_matter_once_jars_are_cached(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "libs").mkdir(parents=True)
    (home / "libs" / f"kafka_2.13-{VERSION}.jar").write_bytes(b"PK")
    assert fetch_jars(VERSION, home, env={"PATH": ""}) == home / "libs"


def test_a_concurrent_fetch_is_waited_for_not_raced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir, home = tmp_path / "bin", tmp_path / "home"
    fake_mvn(bin_dir, GOOD)
    home.mkdir()
    monkeypatch.setattr(jars, "LOCK_TIMEOUT_S", 0.3)
    with (home / ".fetch.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another process is fetching
        with pytest.raises(FetchError, match=r"another fetch holds .*\.fetch\.lock"):
            fetch_jars(VERSION, home, env={"PATH": str(bin_dir)})
    assert runs(bin_dir) == []
    fetch_jars(VERSION, home, env={"PATH": str(bin_dir)})
    assert len(runs(bin_dir)) == 1
