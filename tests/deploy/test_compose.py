"""docker compose files and the Dockerfiles, checked without a Docker engine.

The compose files are validated against the compose-spec JSON schema (the copy vendored by
check-jsonschema, run as `python -m check_jsonschema`); the checks below add what a schema
cannot say: references resolve, every image is pinned, every long-running service has a
healthcheck, a memory limit and a restart policy, and the edimesh containers stay hardened.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.manifests import (
    COMPOSE,
    ROOT,
    SERVICES,
    drain_seconds,
    image_pin_problem,
    read_env_file,
    tool,
)

BASE = COMPOSE / "compose.yaml"
OBSERVABILITY = COMPOSE / "compose.observability.yaml"
FILES = (BASE, OBSERVABILITY)
DOCKERFILES = (ROOT / "Dockerfile", COMPOSE / "sftp" / "Dockerfile")
DEV_SECRETS = COMPOSE / "scripts" / "dev-secrets"
SHELL_SCRIPTS = (
    ROOT / "deploy" / "image" / "entrypoint.sh",
    COMPOSE / "sftp" / "entrypoint.sh",
    DEV_SECRETS,
)
EDIMESH_IMAGE = re.compile(r"^edimesh:")
# Capabilities sshd needs to chroot a partner and drop to its uid; no other service adds any.
SSHD_CAPABILITIES = {
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "SETGID",
    "SETUID",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
}

Service = dict[str, Any]


def _load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _services(path: Path) -> dict[str, Service]:
    return dict(_load(path)["services"])


def _merged() -> dict[str, Service]:
    """Base and overlay as `docker compose -f base -f overlay` sees them (one level deep)."""
    merged = {name: dict(spec) for name, spec in _services(BASE).items()}
    for name, spec in _services(OBSERVABILITY).items():
        target = merged.setdefault(name, {})
        for key, value in spec.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                target[key] = {**target[key], **value}
            else:
                target[key] = value
    return merged


def _seconds(duration: str) -> float:
    match = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert duration, "empty duration"
    assert match, f"unsupported duration {duration!r}"
    return int(match[1] or 0) * 60 + int(match[2] or 0)


def _one_shot(service: Service) -> bool:
    return str(service.get("restart", "no")) == "no"


def _memory_limit(service: Service) -> Any:
    limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
    return limits.get("memory") or service.get("mem_limit")


# ---------------------------------------------------------------------------- schema


def test_compose_files_match_the_compose_spec() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            *map(str, FILES),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_references_resolve(path: Path) -> None:
    base, document = _load(BASE), _load(path)
    for kind in ("secrets", "configs", "volumes"):
        declared = set(base.get(kind) or {}) | set(document.get(kind) or {})
        for name, service in document["services"].items():
            for item in service.get(kind, []):
                source = item["source"] if isinstance(item, dict) else str(item).split(":")[0]
                if kind == "volumes" and (source.startswith((".", "/")) or ":" not in str(item)):
                    continue  # bind mounts and anonymous volumes
                assert source in declared, f"{path.name}: {name}: undeclared {kind[:-1]} {source}"
    known = set(_merged())
    for name, service in document["services"].items():
        for dependency in service.get("depends_on", {}):
            assert dependency in known, f"{name} depends on unknown {dependency}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_referenced_files_exist(path: Path) -> None:
    document = _load(path)
    made_by_script = DEV_SECRETS.read_text(encoding="utf-8")
    for kind in ("secrets", "configs"):
        for name, spec in (document.get(kind) or {}).items():
            file = COMPOSE / spec["file"]
            if file.parent.name == ".secrets":
                stem = file.name.removesuffix(".pub")
                assert stem in made_by_script or file.name in made_by_script, (
                    f"{kind} {name}: {spec['file']} is not made by scripts/dev-secrets"
                )
            else:
                assert file.is_file(), f"{kind} {name}: {file} is missing"
    for name, service in document["services"].items():
        for env_file in service.get("env_file", []):
            assert (COMPOSE / env_file).is_file(), f"{name}: {env_file}"
        build = service.get("build")
        if build:
            context = (COMPOSE / build["context"]).resolve()
            assert (context / build.get("dockerfile", "Dockerfile")).is_file(), name


def test_secrets_are_git_ignored() -> None:
    ignored = (COMPOSE / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".secrets/" in ignored


# ---------------------------------------------------------------------------- images


def test_every_compose_image_is_pinned() -> None:
    problems = []
    for path in FILES:
        for name, service in _services(path).items():
            image = service.get("image")
            if image is None:
                assert "build" not in service, f"{path.name}: {name} builds an untagged image"
                continue  # an overlay fragment of a base service
            problem = image_pin_problem(image)
            if problem:
                problems.append(f"{path.name}: {name}: {image}: {problem}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dockerfile_bases_are_pinned(dockerfile: Path) -> None:
    text = dockerfile.read_text(encoding="utf-8")
    args = dict(re.findall(r"^ARG (\w+)=(\S+)", text, flags=re.MULTILINE))
    stages: set[str] = set()
    froms = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, flags=re.MULTILINE | re.IGNORECASE)
    assert froms
    for image, stage in froms:
        resolved = re.sub(r"\$\{(\w+)\}", lambda m: args[m[1]], image)
        if resolved not in stages:
            assert "@sha256:" in resolved, f"{dockerfile.name}: base {resolved} has no digest"
            assert image_pin_problem(resolved) is None, resolved
        if stage:
            stages.add(stage)


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dockerfiles_pass_hadolint(dockerfile: Path) -> None:
    result = subprocess.run(
        [str(tool("hadolint")), "--no-color", str(dockerfile)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_shell_scripts_pass_shellcheck() -> None:
    """The image entrypoints and dev-secrets cannot run here without an engine: lint them."""
    result = subprocess.run(
        [str(tool("shellcheck")), *map(str, SHELL_SCRIPTS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_service_image_runs_unprivileged_without_build_tools() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    final = re.split(r"^FROM ", text, flags=re.MULTILINE)[-1]
    user = re.findall(r"^USER\s+(\S+)", final, flags=re.MULTILINE)
    assert user, "the runtime stage sets no USER"
    uid = user[-1].split(":")[0]
    assert uid.isdigit(), "USER must be numeric, or runAsNonRoot cannot verify it"
    assert int(uid) > 0, "USER must not be root"
    assert "--no-index" in final, "the runtime stage installs only the wheels built before"
    assert "pip uninstall" in final, "the runtime stage removes the installers"
    for program in ("build-essential", "gcc", "g++", "make ", "git ", "curl ", "wget "):
        assert program not in final, f"{program.strip()} in the runtime stage"
    assert re.search(r"^ENTRYPOINT .*entrypoint", final, flags=re.MULTILINE)


def test_dockerignore_keeps_secrets_out_of_the_build_context() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert lines[lines.index("*")] == "*", "an allow-list: everything is excluded first"
    allowed = [line[1:] for line in lines if line.startswith("!")]
    assert not [a for a in allowed if a.startswith(("compose/.secrets", ".venv", ".git"))]


# ---------------------------------------------------------------------------- services


def test_the_mesh_is_all_there() -> None:
    services = _services(BASE)
    assert {"kafka", "sftp", "topics-init", *SERVICES} <= set(services)
    assert {"otel-collector", "jaeger", "prometheus"} <= set(_services(OBSERVABILITY))
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_long_running_services_have_limits_restart_and_healthchecks() -> None:
    problems = []
    for path in FILES:
        base_file = path == BASE
        for name, service in _services(path).items():
            if "image" not in service:
                continue  # overlay fragment
            if _memory_limit(service) is None:
                problems.append(f"{name}: no memory limit")
            if "restart" not in service:
                problems.append(f"{name}: no restart policy")
            if _one_shot(service):
                continue
            health = service.get("healthcheck", {})
            if base_file and (not health.get("test") or health.get("disable")):
                problems.append(f"{name}: no healthcheck")
    assert not problems, "\n".join(problems)


def test_every_container_drops_privileges() -> None:
    for name, service in _merged().items():
        assert service.get("cap_drop") == ["ALL"], f"{name}: cap_drop [ALL]"
        assert "no-new-privileges:true" in service.get("security_opt", []), name
        added = set(service.get("cap_add", []))
        assert not added or (name == "sftp" and added <= SSHD_CAPABILITIES), f"{name}: {added}"
        assert not service.get("privileged"), name


def test_edimesh_services_share_one_hardened_image() -> None:
    services = _services(BASE)
    ours = {n: s for n, s in services.items() if EDIMESH_IMAGE.match(s.get("image", ""))}
    assert set(ours) == {"topics-init", *SERVICES}
    assert len({s["image"] for s in ours.values()}) == 1
    assert {s["build"]["dockerfile"] for s in ours.values()} == {"Dockerfile"}
    for name, service in ours.items():
        assert service["read_only"] is True, name
        uid = str(service["user"]).split(":")[0]
        assert uid.isdigit(), name
        assert int(uid) > 0, name
        if name in SERVICES:
            assert service["command"] == ["run", name]
            health = " ".join(service["healthcheck"]["test"])
            assert "127.0.0.1:8080/readyz" in health, name


def test_stop_grace_exceeds_the_drain_time() -> None:
    for name in SERVICES:
        service = _services(BASE)[name]
        env: dict[str, str] = {}
        for env_file in service["env_file"]:
            env.update(read_env_file(COMPOSE / env_file))
        drain = drain_seconds(env)
        assert drain > 0, f"{name}: no drain time in its env files"
        grace = _seconds(service.get("stop_grace_period", "10s"))
        assert grace > drain, f"{name}: stop_grace_period {grace}s <= drain {drain}s"


def test_services_start_after_their_topics() -> None:
    services = _services(BASE)
    assert services["topics-init"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    for name in SERVICES:
        condition = services[name]["depends_on"]["topics-init"]["condition"]
        assert condition == "service_completed_successfully", name


def test_transfer_gets_its_keys_as_secrets() -> None:
    transfer = _services(BASE)["transfer"]
    env: dict[str, str] = {}
    for env_file in transfer["env_file"]:
        env.update(read_env_file(COMPOSE / env_file))
    secret_targets = {
        (s["target"] if isinstance(s, dict) else f"/run/secrets/{s}") for s in transfer["secrets"]
    }
    assert env["EDIMESH_MASKING_KEY_SECRET_FILE"] in secret_targets
    source = env["EDIMESH_PRIVATE_KEYS_SOURCE"]
    assert any(t.startswith(source + "/") for t in secret_targets), "keys mounted as secrets"
    assert any(t.startswith(env["EDIMESH_PRIVATE_KEYS_DIR"]) for t in transfer["tmpfs"]), (
        "the 0600 key copies live in a tmpfs"
    )


def test_observability_overlay_wires_traces_and_metrics() -> None:
    merged = _merged()
    for name in SERVICES:
        endpoint = merged[name]["environment"]["EDIMESH_OTLP_ENDPOINT"]
        assert endpoint == "http://otel-collector:4318", name
    collector = _load(COMPOSE / "otel" / "collector.yaml")
    assert collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    traces = collector["service"]["pipelines"]["traces"]
    assert any(e.startswith("otlp") for e in traces["exporters"])
    assert collector["exporters"]["otlp/jaeger"]["endpoint"] == "jaeger:4317"
    prometheus = _load(COMPOSE / "prometheus" / "prometheus.yml")
    (edimesh,) = [j for j in prometheus["scrape_configs"] if j["job_name"] == "edimesh"]
    assert edimesh["metrics_path"] == "/metrics"
    assert set(edimesh["static_configs"][0]["targets"]) == {f"{s}:8080" for s in SERVICES}


def test_sftp_server_uses_the_shared_hardened_sshd_config() -> None:
    dockerfile = (COMPOSE / "sftp" / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY deploy/sftp/sshd_config " in dockerfile
    config = (ROOT / "deploy" / "sftp" / "sshd_config").read_text(encoding="utf-8")
    for line in (
        "KexAlgorithms curve25519-sha256",
        "Ciphers aes256-gcm@openssh.com,chacha20-poly1305@openssh.com",
        "HostKeyAlgorithms ssh-ed25519",
        "PasswordAuthentication no",
        "PermitRootLogin no",
        "ForceCommand internal-sftp",
    ):
        assert re.search(rf"^\s*{re.escape(line)}\s*$", config, flags=re.MULTILINE), line
    assert re.search(r"^\s*ChrootDirectory\s", config, flags=re.MULTILINE)
