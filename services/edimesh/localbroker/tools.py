"""Finding the external programs the broker needs: `java` to run it, `mvn` to fetch it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from edimesh.localbroker.defaults import kafka_major
from edimesh.localbroker.errors import JavaMissingError, MavenMissingError

_JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


def find_java(env: Mapping[str, str] | None = None) -> Path:
    """`$JAVA_HOME/bin/java` if it exists, else `java` on PATH."""
    env = os.environ if env is None else env
    if java_home := env.get("JAVA_HOME"):
        candidate = Path(java_home) / "bin" / "java"
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("java", path=env.get("PATH", ""))
    if found is None:
        raise JavaMissingError(
            "java not found: install a JDK 17+ (Debian: `apt-get install openjdk-17-jre-headless`)"
            " or set JAVA_HOME"
        )
    return Path(found)


def parse_java_major(version_output: str) -> int | None:
    """Major version from `java -version` output; `1.8.0_x` -> 8, `17.0.15` -> 17."""
    match = _JAVA_VERSION.search(version_output)
    if match is None:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2):
        return int(match.group(2))
    return major


def required_java(kafka_version: str) -> int:
    """Kafka 4.x brokers need Java 17; 3.9 runs on 11."""
    return 17 if kafka_major(kafka_version) >= 4 else 11


def require_java(kafka_version: str, env: Mapping[str, str] | None = None) -> Path:
    """A java able to run this Kafka line, or JavaMissingError saying what to install."""
    java = find_java(env)
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [str(java), "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise JavaMissingError(f"{java} -version failed ({exc}); check the JDK install") from exc
    major = parse_java_major(done.stderr + done.stdout)
    needed = required_java(kafka_version)
    if major is not None and major < needed:
        raise JavaMissingError(
            f"Kafka {kafka_version} needs Java {needed}+, but {java} is Java {major}:"
            f" install a newer JDK or point JAVA_HOME at one"
        )
    return java


def find_mvn(env: Mapping[str, str] | None = None) -> Path:
    """`mvn` on PATH, or MavenMissingError saying how to get the jars another way."""
    env = os.environ if env is None else env
    found = shutil.which("mvn", path=env.get("PATH", ""))
    if found is None:
        raise MavenMissingError(
            "mvn (Apache Maven) not found: install it (Debian: `apt-get install maven`) or set"
            " EDIMESH_KAFKA_HOME to a folder whose libs/ already holds the Kafka jars"
        )
    return Path(found)
