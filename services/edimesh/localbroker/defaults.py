"""Fixed facts about the local broker: versions, ports, environment variable names."""

from __future__ import annotations

# 4.1.x is the line verified against aiokafka 0.14 (idempotence, transactions, groups).
DEFAULT_KAFKA_VERSION = "4.1.2"
# Kafka 4.1's tarball ships Log4j2 2.24.x; no POM declares it, so we pin it ourselves.
LOG4J2_VERSION = "2.24.3"
# Kafka 3.9 (fallback line) logs through reload4j via SLF4J 1.7.
RELOAD4J_VERSION = "1.2.25"
SLF4J_VERSION = "1.7.36"
DEPENDENCY_PLUGIN_VERSION = "3.6.1"

HOST = "127.0.0.1"
DEFAULT_PORT = 9092
DEFAULT_CONTROLLER_PORT = 9093

ENV_KAFKA_HOME = "EDIMESH_KAFKA_HOME"
ENV_KAFKA_VERSION = "EDIMESH_KAFKA_VERSION"
ENV_DATA_DIR = "EDIMESH_KAFKA_DATA"

# The line kafka.server.KafkaRaftServer logs once the broker serves clients.
STARTED_LINE = "Kafka Server started"


def kafka_major(version: str) -> int:
    """`4.1.2` -> 4. Unparseable versions count as the current line."""
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 4
