"""Running a mesh service in a test: in this process (graceful stop at the end of the block) or
as `python -m edimesh.<service>` subprocesses that the bench kills at teardown."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Protocol, TypeVar

from pydantic_settings import BaseSettings

SUBPROCESS_ENV_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV")
S = TypeVar("S", bound=BaseSettings)


class Runnable(Protocol):
    async def run(self) -> None: ...
    def request_stop(self) -> None: ...


R = TypeVar("R", bound=Runnable)


def prefixed_env(prefix: str, values: Mapping[str, object]) -> dict[str, str]:
    """Settings values as the service reads them from the environment."""
    return {f"{prefix}{k.upper()}": str(v) for k, v in values.items()}


def settings_from_env(cls: type[S], prefix: str, env: Mapping[str, str]) -> S:
    """The settings a service would read from `env`, built without touching os.environ."""
    return cls.model_validate({k.removeprefix(prefix).lower(): v for k, v in env.items()})


@contextlib.asynccontextmanager
async def running(service: contextlib.AbstractAsyncContextManager[R]) -> AsyncIterator[R]:
    """Enter the service, run it until the block ends, then stop it gracefully."""
    async with service as entered:
        task = asyncio.create_task(entered.run())
        try:
            yield entered
        finally:
            entered.request_stop()
            await task


def spawn(
    module: str,
    service_env: Mapping[str, str],
    log_path: Path,
    procs: list[subprocess.Popen[bytes]],
    *,
    log_level: str = "WARNING",
) -> subprocess.Popen[bytes]:
    """`python -m <module>` with only `service_env` and the basics of ours; output to a log."""
    env = {k: os.environ[k] for k in SUBPROCESS_ENV_KEEP if k in os.environ}
    env.update(service_env)
    env["EDIMESH_ENV"] = "test"
    env["EDIMESH_LOG_LEVEL"] = log_level
    # A free port each: several instances run side by side (the endpoint still runs).
    env["EDIMESH_HEALTH_PORT"] = "0"
    env["EDIMESH_HEALTH_HOST"] = "127.0.0.1"
    with log_path.open("ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", module], env=env, stdout=log, stderr=log)
    procs.append(proc)
    return proc
