"""Rendering of the local broker's server.properties, logging config, JVM flags and pom."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from edimesh.errors import ConfigError
from edimesh.localbroker import BrokerConfig, kafka_home
from edimesh.localbroker.config import (
    broker_jvm_options,
    render_log4j,
    render_log4j2,
    render_server_properties,
    write_config_files,
)
from edimesh.localbroker.paths import default_data_dir
from edimesh.localbroker.pom import render_pom
from edimesh.localbroker.storage import new_cluster_id

POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def parse_properties(text: str) -> dict[str, str]:
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_single_combined_node_on_loopback(tmp_path: Path) -> None:
    props = parse_properties(
        render_server_properties(BrokerConfig(tmp_path, port=19092, controller_port=19093))
    )
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["log.dirs"] == str(tmp_path / "kraft")


def test_internal_topics_fit_one_broker_and_tests_run_fast(tmp_path: Path) -> None:
    props = parse_properties(render_server_properties(BrokerConfig(tmp_path)))
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "min.insync.replicas",
    ):
        assert props[key] == "1", key
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["auto.create.topics.enable"] == "false"
    assert int(props["message.max.bytes"]) == 16 * 1024 * 1024


def test_default_ports_are_kafkas(tmp_path: Path) -> None:
    config = BrokerConfig(tmp_path)
    assert (config.port, config.controller_port) == (9092, 9093)
    assert config.bootstrap == "127.0.0.1:9092"


def test_overrides_win(tmp_path: Path) -> None:
    config = BrokerConfig(tmp_path, overrides={"num.partitions": "6", "log.retention.ms": "1000"})
    props = parse_properties(render_server_properties(config))
    assert props["num.partitions"] == "6"
    assert props["log.retention.ms"] == "1000"


@pytest.mark.parametrize(
    ("port", "controller_port", "message"),
    [
        (9092, 9092, "give them different values"),
        (0, 9093, "is not a TCP port"),
        (9092, 70000, "is not a TCP port"),
    ],
)
def test_bad_ports_are_config_errors(
    tmp_path: Path, port: int, controller_port: int, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        BrokerConfig(tmp_path, port=port, controller_port=controller_port)


@pytest.mark.parametrize("console", [False, True])
def test_log4j2_config_writes_server_log_and_console_only_in_foreground(console: bool) -> None:
    root = ET.fromstring(render_log4j2(console))
    [file_appender] = root.iter("File")
    assert (
        file_appender.get("fileName") == "${sys:kafka.logs.dir}/${sys:kafka.log.file:-server.log}"
    )
    assert bool(list(root.iter("Console"))) is console
    started_logger = [
        logger
        for logger in root.iter("Logger")
        if logger.get("name") == "kafka.server.KafkaRaftServer"
    ]
    assert [logger.get("level") for logger in started_logger] == ["INFO"]


def test_kafka3_uses_reload4j_files(tmp_path: Path) -> None:
    config = BrokerConfig(tmp_path, kafka_version="3.9.1")
    write_config_files(config, console=False)
    assert (tmp_path / "config" / "log4j.properties").is_file()
    assert not (tmp_path / "config" / "log4j2.xml").exists()
    assert "log4j.rootLogger=INFO, file\n" in render_log4j(console=False)
    assert f"-Dlog4j.configuration=file://{tmp_path}/config/log4j.properties" in (
        broker_jvm_options(config)
    )


def test_jvm_options_bound_the_heap_and_point_at_the_logs(tmp_path: Path) -> None:
    options = broker_jvm_options(BrokerConfig(tmp_path, heap_max="768m"))
    assert "-Xmx768m" in options
    assert f"-Dlog4j2.configurationFile={tmp_path}/config/log4j2.xml" in options
    assert f"-Dkafka.logs.dir={tmp_path}/logs" in options


def _dependencies(pom: str) -> list[tuple[str | None, str | None]]:
    root = ET.fromstring(pom)
    return [
        (
            dep.findtext("m:artifactId", namespaces=POM_NS),
            dep.findtext("m:version", namespaces=POM_NS),
        )
        for dep in root.iterfind("m:dependencies/m:dependency", POM_NS)
    ]


def test_pom_brings_kafka4_with_its_log4j2_binding() -> None:
    deps = dict(_dependencies(render_pom("4.1.2")))
    assert deps["kafka_2.13"] == "4.1.2"
    assert {"log4j-api", "log4j-core", "log4j-slf4j-impl"} <= deps.keys()
    assert "reload4j" not in deps


def test_pom_brings_kafka3_with_reload4j() -> None:
    deps = dict(_dependencies(render_pom("3.9.1")))
    assert deps["kafka_2.13"] == "3.9.1"
    assert {"reload4j", "slf4j-reload4j"} <= deps.keys()
    assert "log4j-core" not in deps


def test_pom_copies_runtime_scope() -> None:
    root = ET.fromstring(render_pom("4.1.2"))
    assert root.findtext(".//m:configuration/m:includeScope", namespaces=POM_NS) == "runtime"


def test_jar_cache_location() -> None:
    assert kafka_home("4.1.2", {"XDG_CACHE_HOME": "/c"}) == Path("/c/edimesh/kafka-4.1.2")
    assert kafka_home("4.1.2", {"EDIMESH_KAFKA_HOME": "/k", "XDG_CACHE_HOME": "/c"}) == Path("/k")
    assert kafka_home("4.1.2", {}) == Path("~/.cache/edimesh/kafka-4.1.2").expanduser()


def test_cli_data_dir_location() -> None:
    assert default_data_dir({"XDG_STATE_HOME": "/s"}) == Path("/s/edimesh/kafka")
    assert default_data_dir({"EDIMESH_KAFKA_DATA": "/d"}) == Path("/d")


def test_cluster_ids_look_like_kafka_uuids() -> None:
    for _ in range(200):
        cluster_id = new_cluster_id()
        assert len(cluster_id) == 22
        assert not cluster_id.startswith("-")
        assert set(cluster_id) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
