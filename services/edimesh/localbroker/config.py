"""What one local broker looks like: its settings, and the files and JVM flags they render to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from edimesh.localbroker.defaults import (
    DEFAULT_CONTROLLER_PORT,
    DEFAULT_KAFKA_VERSION,
    DEFAULT_PORT,
    HOST,
    kafka_major,
)
from edimesh.localbroker.errors import BrokerError
from edimesh.localbroker.paths import DataLayout

MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # a big 837 transaction set must fit in one record


@dataclass(frozen=True)
class BrokerTls:
    """TLS listeners next to PLAINTEXT, to test clients that encrypt (and log in).

    `keystore` is one PEM file: the server's unencrypted PKCS#8 private key, then its
    certificate chain. An SSL listener on `port`; with `sasl_port`, also a SASL_SSL one whose
    PLAIN mechanism accepts `plain_users` (name: password). The broker's own traffic stays on
    PLAINTEXT.
    """

    port: int
    keystore: Path
    sasl_port: int | None = None
    plain_users: Mapping[str, str] = field(default_factory=dict)

    def listeners(self) -> dict[str, int]:
        found = {"SSL": self.port}
        if self.sasl_port is not None:
            found["SASL_SSL"] = self.sasl_port
        return found

    def properties(self) -> dict[str, str]:
        props = {"ssl.keystore.type": "PEM", "ssl.keystore.location": str(self.keystore)}
        if self.sasl_port is not None:
            users = " ".join(f'user_{name}="{secret}"' for name, secret in self.plain_users.items())
            props["sasl.enabled.mechanisms"] = "PLAIN"
            props["listener.name.sasl_ssl.plain.sasl.jaas.config"] = (
                f"org.apache.kafka.common.security.plain.PlainLoginModule required {users};"
            )
        return props


@dataclass(frozen=True)
class BrokerConfig:
    """A single combined broker+controller KRaft node on loopback."""

    data_dir: Path
    port: int = DEFAULT_PORT
    controller_port: int = DEFAULT_CONTROLLER_PORT
    kafka_version: str = DEFAULT_KAFKA_VERSION
    heap_max: str = "1g"
    start_timeout: float = 120.0
    stop_timeout: float = 30.0
    # Extra server.properties entries; they win over the rendered defaults.
    overrides: Mapping[str, str] = field(default_factory=dict)
    tls: BrokerTls | None = None  # off: PLAINTEXT only

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", self.data_dir.expanduser().resolve())
        ports = [("port", self.port), ("controller port", self.controller_port)]
        if self.tls is not None:
            ports += [(f"{name} port", port) for name, port in self.tls.listeners().items()]
        for name, port in ports:
            if not 1 <= port <= 65535:
                raise BrokerError(f"{name} {port} is not a TCP port: use 1-65535")
        if len({port for _, port in ports}) < len(ports):
            raise BrokerError(
                f"{' and '.join(name for name, _ in ports)} must differ: give them different values"
            )

    @property
    def host(self) -> str:
        return HOST

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def layout(self) -> DataLayout:
        return DataLayout(self.data_dir)


def server_properties(config: BrokerConfig) -> dict[str, str]:
    """The broker's settings, in file order."""
    layout = config.layout
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        # Static quorum: ports may change between runs without re-formatting.
        "controller.quorum.voters": f"1@{HOST}:{config.controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{config.port},CONTROLLER://{HOST}:{config.controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{config.port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(layout.kraft_dir),
        "num.partitions": "1",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        # One node: internal topics with the default RF 3 could never be created, and
        # idempotent/transactional producers would fail in InitProducerId.
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "1",  # the first group join creates it: keep it cheap
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "1",
        "group.initial.rebalance.delay.ms": "0",  # groups form at once instead of after 3 s
        "auto.create.topics.enable": "false",  # topics are created on purpose, by admin calls
        "delete.topic.enable": "true",
        "message.max.bytes": str(MAX_MESSAGE_BYTES),
        "replica.fetch.max.bytes": str(MAX_MESSAGE_BYTES),
        "log.cleaner.dedupe.buffer.size": str(16 * 1024 * 1024),  # default 128 MiB of heap
        "num.network.threads": "2",  # 2-core machines
        "num.io.threads": "4",
        "background.threads": "4",
        "num.recovery.threads.per.data.dir": "1",
    }
    if config.tls is not None:
        for name, port in config.tls.listeners().items():
            props["listeners"] += f",{name}://{HOST}:{port}"
            props["advertised.listeners"] += f",{name}://{HOST}:{port}"
            props["listener.security.protocol.map"] += f",{name}:{name}"
        props.update(config.tls.properties())
    props.update(config.overrides)
    return props


def render_server_properties(config: BrokerConfig) -> str:
    header = "# Generated by edimesh.localbroker at every start; edits are overwritten.\n"
    return header + "".join(f"{key}={value}\n" for key, value in server_properties(config).items())


# Loggers that flood the file at INFO without telling anything a developer needs.
_QUIET_LOGGERS = (
    "kafka.request.logger",
    "kafka.network.RequestChannel$",
    "state.change.logger",
    "kafka.authorizer.logger",
    "org.apache.kafka.controller",
    "org.apache.kafka.raft",
    "org.apache.kafka.storage.internals.log.LogCleaner",
)


def render_log4j2(console: bool) -> str:
    """Kafka 4.x logging: everything at INFO into `${kafka.logs.dir}/${kafka.log.file}`;
    WARN and above on the console too when the broker runs in the foreground.

    Log4j's own shutdown hook is off: it races Kafka's and then complains on stdout; the
    File appender flushes every line anyway.
    """
    console_appender = (
        '    <Console name="CONSOLE" target="SYSTEM_ERR">\n'
        '      <ThresholdFilter level="WARN"/>\n'
        '      <PatternLayout pattern="${pattern}"/>\n'
        "    </Console>\n"
        if console
        else ""
    )
    console_ref = '      <AppenderRef ref="CONSOLE"/>\n' if console else ""
    quiet = "".join(f'    <Logger name="{name}" level="WARN"/>\n' for name in _QUIET_LOGGERS)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<!-- Generated by edimesh.localbroker. -->\n"
        '<Configuration status="WARN" shutdownHook="disable">\n'
        '  <Properties><Property name="pattern">[%d] %p %m (%c)%n</Property></Properties>\n'
        "  <Appenders>\n"
        '    <File name="FILE" append="true"\n'
        '          fileName="${sys:kafka.logs.dir}/${sys:kafka.log.file:-server.log}">\n'
        '      <PatternLayout pattern="${pattern}"/>\n'
        "    </File>\n"
        f"{console_appender}"
        "  </Appenders>\n"
        "  <Loggers>\n"
        '    <Root level="INFO">\n'
        '      <AppenderRef ref="FILE"/>\n'
        f"{console_ref}"
        "    </Root>\n"
        '    <Logger name="kafka.server.KafkaRaftServer" level="INFO"/>\n'
        f"{quiet}"
        "  </Loggers>\n"
        "</Configuration>\n"
    )


def render_log4j(console: bool) -> str:
    """Kafka 3.9 logging (reload4j), same shape as `render_log4j2`."""
    appenders = "file, console" if console else "file"
    quiet = "".join(f"log4j.logger.{name}=WARN\n" for name in _QUIET_LOGGERS)
    return (
        "# Generated by edimesh.localbroker.\n"
        f"log4j.rootLogger=INFO, {appenders}\n"
        "log4j.appender.file=org.apache.log4j.FileAppender\n"
        "log4j.appender.file.File=${kafka.logs.dir}/${kafka.log.file}\n"
        "log4j.appender.file.Append=true\n"
        "log4j.appender.file.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
        "log4j.appender.console=org.apache.log4j.ConsoleAppender\n"
        "log4j.appender.console.Target=System.err\n"
        "log4j.appender.console.Threshold=WARN\n"
        "log4j.appender.console.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.console.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
        "log4j.logger.kafka.server.KafkaRaftServer=INFO\n"
        f"{quiet}"
    )


def logging_config_path(config: BrokerConfig) -> Path:
    layout = config.layout
    return layout.log4j2_config if kafka_major(config.kafka_version) >= 4 else layout.log4j_config


def logging_jvm_options(config: BrokerConfig, log_file: str) -> list[str]:
    """System properties that point the JVM's logging at our config and log folder."""
    path = logging_config_path(config)
    selector = (
        f"-Dlog4j2.configurationFile={path}"
        if kafka_major(config.kafka_version) >= 4
        else f"-Dlog4j.configuration={path.as_uri()}"
    )
    return [selector, f"-Dkafka.logs.dir={config.layout.logs_dir}", f"-Dkafka.log.file={log_file}"]


def broker_jvm_options(config: BrokerConfig) -> list[str]:
    return [
        "-Xms256m",
        f"-Xmx{config.heap_max}",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:+ExitOnOutOfMemoryError",  # a half-dead broker is worse than a dead one
        "-Djava.awt.headless=true",
        *logging_jvm_options(config, "server.log"),
    ]


def write_config_files(config: BrokerConfig, *, console: bool) -> None:
    """(Re)write server.properties and the logging config; ports may differ from last run."""
    layout = config.layout
    layout.make_dirs()
    layout.server_properties.write_text(render_server_properties(config), encoding="utf-8")
    if kafka_major(config.kafka_version) >= 4:
        layout.log4j2_config.write_text(render_log4j2(console), encoding="utf-8")
    else:
        layout.log4j_config.write_text(render_log4j(console), encoding="utf-8")
