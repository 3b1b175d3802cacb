"""The settings in compose/env/ and k8s/base/env/ are ones the services really read, with
values they accept: a renamed or mistyped variable fails here, not silently in a pod."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from edimesh.telemetry.settings import TelemetrySettings
from edimesh.transfer.partners import parse_partners
from tests.deploy.manifests import (
    COMPOSE,
    ENTRYPOINT_VARIABLES,
    K8S,
    SECRET_FILE_SUFFIX,
    SERVICES,
    common_variables,
    read_env_file,
    settings_classes,
    settings_variables,
    unknown_variables,
)

ENV_DIRS = (COMPOSE / "env", K8S / "base" / "env")
env_dirs = pytest.mark.parametrize(
    "directory", ENV_DIRS, ids=lambda p: str(p.relative_to(p.parents[1]))
)


def _settable(values: dict[str, str]) -> dict[str, str]:
    """What a process would see once the entrypoint ran: secret-file pointers dropped."""
    return {
        name: value
        for name, value in values.items()
        if not name.endswith(SECRET_FILE_SUFFIX) and name not in ENTRYPOINT_VARIABLES
    }


@env_dirs
def test_common_settings_are_read_and_accepted(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = read_env_file(directory / "common.env")
    assert not unknown_variables(values, common_variables())
    for name, value in _settable(values).items():
        monkeypatch.setenv(name, value)
    TelemetrySettings(service_name="edimesh")  # raises on a value it would refuse


@env_dirs
@pytest.mark.parametrize("service", SERVICES)
def test_service_settings_are_read_and_accepted(
    directory: Path, service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = read_env_file(directory / f"{service}.env")
    prefix = f"EDIMESH_{service.upper()}_"
    foreign = [n for n in values if not n.startswith(prefix) and n not in ENTRYPOINT_VARIABLES]
    assert not foreign, f"{service}.env sets another service's or common settings: {foreign}"
    classes = settings_classes(service)
    if classes is None:
        assert not values, (
            f"edimesh.{service}.settings does not exist yet, so nothing reads {values}"
        )
        return
    known = frozenset().union(*(settings_variables(c) for c in classes))
    assert not unknown_variables(values, known), f"not settings of {service}"
    for name, value in _settable(values).items():
        monkeypatch.setenv(name, value)
    for settings in classes:
        settings()


@pytest.mark.parametrize("service", ["common", *SERVICES])
def test_compose_and_kubernetes_set_the_same_settings(service: str) -> None:
    compose = _settable(read_env_file(COMPOSE / "env" / f"{service}.env"))
    k8s = _settable(read_env_file(K8S / "base" / "env" / f"{service}.env"))
    if service == "common":  # compose sets the collector in its observability overlay
        compose.setdefault("EDIMESH_OTLP_ENDPOINT", "")
    assert sorted(compose) == sorted(k8s)


@pytest.mark.parametrize("overlay", sorted(p.name for p in (K8S / "overlays").iterdir()))
def test_overlay_literals_are_settings(overlay: str) -> None:
    kustomization = yaml.safe_load((K8S / "overlays" / overlay / "kustomization.yaml").read_text())
    for generator in kustomization.get("configMapGenerator", []):
        literals = dict(item.partition("=")[::2] for item in generator.get("literals", []))
        service = generator["name"].removeprefix("edimesh-")
        if service == "common":
            known = common_variables()
        else:
            classes = settings_classes(service) or []
            known = frozenset().union(*(settings_variables(c) for c in classes))
        assert not unknown_variables(literals, known), f"{overlay}: {generator['name']}"


PARTNERS_FILES = sorted(
    [COMPOSE / "config" / "partners.toml", *K8S.glob("**/partners.toml")],
)


@pytest.mark.parametrize("path", PARTNERS_FILES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_partners_files_are_valid(path: Path, tmp_path: Path) -> None:
    """Each partners.toml passes transfer's own model (with stand-in key files), and its key
    paths are where the manifests mount them: <keys dir>/<partner name>."""
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    key = tmp_path / "key"
    key.write_text("stand-in")
    key.chmod(0o600)
    stand_ins = [
        {**table, "private_key": str(key), "known_hosts": str(key)}
        for table in document["partners"]
    ]
    parse_partners({"partners": stand_ins}, str(path))
    env_dir = COMPOSE / "env" if path.is_relative_to(COMPOSE) else K8S / "base" / "env"
    keys_dir = read_env_file(env_dir / "transfer.env")["EDIMESH_PRIVATE_KEYS_DIR"]
    for table in document["partners"]:
        assert table["private_key"] == f"{keys_dir}/{table['name']}"
        assert table["known_hosts"] == f"/etc/edimesh/known-hosts/{table['name']}"
