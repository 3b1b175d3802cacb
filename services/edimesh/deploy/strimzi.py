"""Strimzi `KafkaTopic` resources for every mesh topic, generated from `edimesh.mesh.topics`.

    python -m edimesh.deploy.strimzi --output k8s/components/strimzi-topics/topics.yaml

The committed file must equal this module's output (tests/deploy checks it): change a topic in
`edimesh.mesh.topics`, then run the command above. Overlays patch `replicas` and
`min.insync.replicas` together (see k8s/overlays/dev); the defaults here are production's.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from edimesh.mesh.topics import TopicSpec, mesh_topics

API_VERSION = "kafka.strimzi.io/v1beta2"
DEFAULT_CLUSTER = "edimesh"
DEFAULT_REPLICAS = 3
COMMAND = "python -m edimesh.deploy.strimzi --output k8s/components/strimzi-topics/topics.yaml"


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(value)


def kafka_topic(spec: TopicSpec, cluster: str) -> str:
    """One KafkaTopic document (without the leading `---`)."""
    lines = [
        f"apiVersion: {API_VERSION}",
        "kind: KafkaTopic",
        "metadata:",
        f"  name: {_quoted(spec.name)}",
        "  labels:",
        f"    strimzi.io/cluster: {_quoted(cluster)}",
        "    app.kubernetes.io/part-of: edimesh",
        "  annotations:",
        f"    edimesh.io/doc: {_quoted(spec.doc)}",
        "spec:",
        f"  topicName: {_quoted(spec.name)}",
        f"  partitions: {spec.partitions}",
        f"  replicas: {spec.replication_factor}",
        "  config:",
    ]
    lines += [f"    {key}: {_quoted(value)}" for key, value in sorted(spec.configs.items())]
    return "\n".join(lines) + "\n"


def render(*, cluster: str = DEFAULT_CLUSTER, replicas: int = DEFAULT_REPLICAS) -> str:
    """Every mesh topic as a multi-document YAML stream, in declaration order."""
    header = (
        f"# GENERATED from edimesh.mesh.topics -- do not edit. Regenerate with:\n#   {COMMAND}\n"
    )
    topics = mesh_topics(replication_factor=replicas).all()
    return header + "".join(f"---\n{kafka_topic(spec, cluster)}" for spec in topics)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m edimesh.deploy.strimzi",
        description="Strimzi KafkaTopic resources for every mesh topic, from edimesh.mesh.topics.",
    )
    parser.add_argument("--cluster", default=DEFAULT_CLUSTER, help="the strimzi.io/cluster label")
    parser.add_argument("--replicas", type=int, default=DEFAULT_REPLICAS, help="replication factor")
    parser.add_argument("--output", type=Path, help="write here instead of standard output")
    args = parser.parse_args(argv)
    text = render(cluster=args.cluster, replicas=args.replicas)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
