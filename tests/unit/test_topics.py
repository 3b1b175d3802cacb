"""Topic declarations, bootstrap resolution and the `edimesh topics` CLI (no network)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from typer.testing import CliRunner

from edimesh.commands import topics as topics_cli
from edimesh.errors import ConfigError, TransientError
from edimesh.mesh import topics
from edimesh.mesh.admin import ConfigDrift, EnsureReport
from edimesh.mesh.bootstrap import BOOTSTRAP_ENV, resolve_bootstrap
from edimesh.mesh.schemas import schemas
from edimesh.mesh.topics import MAX_MESSAGE_BYTES, CleanupPolicy, mesh_topics, topic_name

STREAMS = {
    "edi.files.staged",
    "edi.transactions",
    "edi.validated",
    "edi.quarantine",
    "edi.dlq",
    "edi.acks",
    "edi.acknowledger.set-results",
}


def test_the_flow_topics_have_their_documented_names() -> None:
    names = {spec.name for spec in mesh_topics().all()}
    assert names >= STREAMS
    assert len(names) == len(mesh_topics().all()) == 12


WINDOWED_LEDGERS = {
    "edi.ledger.staged-files": 90,
    "edi.ledger.interchanges": 365,
    "edi.progress.splitter": 30,
    "edi.acknowledger.group-manifests": 7,
    "edi.acknowledger.state": 30,
}


def test_streams_delete_and_ledgers_compact() -> None:
    for spec in mesh_topics().all():
        if spec.name in STREAMS:
            assert spec.cleanup_policy is CleanupPolicy.DELETE, spec.name
            assert spec.configs["retention.ms"] == str(spec.retention_ms)
        elif spec.name in WINDOWED_LEDGERS:
            assert spec.cleanup_policy is CleanupPolicy.COMPACT_DELETE, spec.name
            assert spec.configs["cleanup.policy"] == "compact,delete"
            days = WINDOWED_LEDGERS[spec.name]
            assert spec.configs["retention.ms"] == str(days * 24 * 3600 * 1000), spec.name
            assert spec.configs["segment.ms"] == str(24 * 3600 * 1000)  # compaction can run
        else:
            assert spec.cleanup_policy is CleanupPolicy.COMPACT, spec.name
            assert "retention.ms" not in spec.configs
        assert spec.configs["cleanup.policy"] == spec.cleanup_policy.value


def test_windowed_ledgers_outlive_what_reads_them() -> None:
    # A re-delivered FileStaged still finds its file's progress; a replayed manifest or result
    # still finds its group's done entry (else a second 999).
    t = mesh_topics()
    staged_age = t.files_staged.max_record_age_ms
    assert staged_age is not None
    assert t.splitter_progress.retention_ms is not None
    assert t.splitter_progress.retention_ms > staged_age
    assert t.acknowledger_state.retention_ms is not None
    for source in (t.group_manifests, t.set_results):
        age = source.max_record_age_ms
        assert age is not None, source.name
        assert t.acknowledger_state.retention_ms > age, source.name
    # Same bytes resent after the transfer's window are staged again; the splitter must still
    # find their interchanges in its own, longer window.
    assert t.staged_ledger.retention_ms is not None
    assert t.interchange_ledger.retention_ms is not None
    assert t.interchange_ledger.retention_ms > t.staged_ledger.retention_ms


def test_every_topic_is_zstd_and_takes_large_sets() -> None:
    assert MAX_MESSAGE_BYTES == 16 * 1024 * 1024
    for spec in mesh_topics().all():
        assert spec.configs["compression.type"] == "zstd"
        assert spec.configs["max.message.bytes"] == str(MAX_MESSAGE_BYTES)


def test_quarantine_and_dlq_keep_data_longer_than_the_flow() -> None:
    t = mesh_topics()
    assert t.quarantine.retention_ms is not None
    assert t.transactions.retention_ms is not None
    assert t.quarantine.retention_ms > t.transactions.retention_ms


def test_value_schemas_exist() -> None:
    for spec in mesh_topics().all():
        if spec.value_schema is not None:
            assert spec.value_schema.value in schemas().current


def test_prefix_is_prepended_to_every_name() -> None:
    prefixed = mesh_topics("t-1a2b.")
    assert prefixed.transactions.name == "t-1a2b.edi.transactions"
    assert all(spec.name.startswith("t-1a2b.edi.") for spec in prefixed.all())
    assert prefixed.by_name("t-1a2b.edi.dlq") is prefixed.dlq
    assert topic_name(topics.ACKS, "x_") == "x_edi.acks"


@pytest.mark.parametrize("prefix", ["has space.", "slash/", "ü.", "x" * 240])
def test_illegal_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ConfigError, match="illegal topic name"):
        mesh_topics(prefix)


def test_partition_count_overrides() -> None:
    assert {s.partitions for s in mesh_topics(partitions=2).all()} == {2}
    custom = mesh_topics(partitions=2, overrides={topics.TRANSACTIONS: 5})
    assert custom.transactions.partitions == 5
    assert custom.validated.partitions == 2
    assert mesh_topics().transactions.partitions == 12


@pytest.mark.parametrize(
    "kwargs",
    [
        {"partitions": 0},
        {"overrides": {"edi.nope": 3}},
        {"overrides": {topics.DLQ: 0}},
        {"replication_factor": 0},
    ],
)
def test_bad_layouts_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        mesh_topics(**kwargs)


@pytest.mark.parametrize(("replicas", "min_isr"), [(1, "1"), (2, "1"), (3, "2"), (5, "2")])
def test_min_insync_replicas_follows_the_replication_factor(replicas: int, min_isr: str) -> None:
    spec = mesh_topics(replication_factor=replicas).transactions
    assert spec.replication_factor == replicas
    assert spec.configs["min.insync.replicas"] == min_isr


def test_specs_are_frozen() -> None:
    spec = mesh_topics().dlq
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.name = "other"  # type: ignore[misc]


# ---------------------------------------------------------------- bootstrap


def test_bootstrap_explicit_then_env_then_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BOOTSTRAP_ENV, raising=False)
    assert resolve_bootstrap(None) == "127.0.0.1:9092"
    monkeypatch.setenv(BOOTSTRAP_ENV, "kafka-0:9093, kafka-1:9093")
    assert resolve_bootstrap(None) == "kafka-0:9093,kafka-1:9093"
    assert resolve_bootstrap("127.0.0.1:19092") == "127.0.0.1:19092"


@pytest.mark.parametrize("value", ["localhost", "host:", ":9092", "host:99999", "host:port"])
def test_bad_bootstrap_values_are_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="not host:port"):
        resolve_bootstrap(value)


# ---------------------------------------------------------------- CLI


def _fake_ensure(report: EnsureReport | Exception) -> Any:
    calls: list[tuple[str, list[str]]] = []

    async def ensure(bootstrap: str, specs: Any, *, timeout_s: float) -> EnsureReport:
        calls.append((bootstrap, [s.name for s in specs]))
        if isinstance(report, Exception):
            raise report
        return report

    ensure.calls = calls  # type: ignore[attr-defined]
    return ensure


def test_cli_create_reports_created_existing_and_drift(monkeypatch: pytest.MonkeyPatch) -> None:
    report = EnsureReport(
        created=("p.edi.acks",),
        existing=("p.edi.dlq",),
        drift=(ConfigDrift("p.edi.dlq", "retention.ms", "2592000000", "604800000"),),
    )
    fake = _fake_ensure(report)
    monkeypatch.setattr(topics_cli, "ensure_topics", fake)
    monkeypatch.setenv(BOOTSTRAP_ENV, "broker:9999")
    result = CliRunner().invoke(topics_cli.app, ["create", "--prefix", "p.", "--partitions", "1"])
    assert result.exit_code == 0, result.output
    assert "created  p.edi.acks" in result.output
    assert "exists   p.edi.dlq" in result.output
    assert "drift    p.edi.dlq: retention.ms is 604800000, declared 2592000000" in result.output
    bootstrap, names = fake.calls[0]
    assert bootstrap == "broker:9999"
    assert len(names) == 12
    assert all(n.startswith("p.") for n in names)


def test_cli_unreachable_broker_is_one_line_without_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    error = TransientError("Kafka at 127.0.0.1:1 is unreachable (KafkaConnectionError)")
    monkeypatch.setattr(topics_cli, "ensure_topics", _fake_ensure(error))
    result = CliRunner().invoke(topics_cli.app, ["create", "--bootstrap", "127.0.0.1:1"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"error: {error}"]
    assert "Traceback" not in result.output


def test_cli_bad_bootstrap_is_one_line() -> None:
    result = CliRunner().invoke(topics_cli.app, ["list", "--bootstrap", "nohost"])
    assert result.exit_code == 1
    assert result.output.startswith("error: bootstrap server 'nohost' is not host:port")


def test_cli_list_marks_missing_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    async def partitions(bootstrap: str, *, timeout_s: float) -> dict[str, int]:
        return {"edi.transactions": 12, "other": 1, "__consumer_offsets": 50}

    monkeypatch.setattr(topics_cli, "topic_partitions", partitions)
    result = CliRunner().invoke(topics_cli.app, ["list", "--all"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "12 partitions" in lines["edi.transactions"]
    assert "TransactionSet" in lines["edi.transactions"]
    assert "missing" in lines["edi.dlq"]
    assert "not declared" in lines["other"]
