"""A real Apache Kafka broker on this machine, without Docker.

Maven fetches the broker's jars from Maven Central into a cache once; `LocalBroker` formats a
single combined broker+controller KRaft node on 127.0.0.1 and runs it detached. The CLI
(`edimesh broker ...`) and the integration-test fixtures both use this package.

    libs = fetch_jars()                       # once per machine; no-op afterwards
    with LocalBroker(BrokerConfig(data_dir=Path("var/kafka"), port=9092)) as broker:
        ...  # broker.bootstrap == "127.0.0.1:9092"
"""

from edimesh.localbroker.config import BrokerConfig, BrokerTls
from edimesh.localbroker.defaults import DEFAULT_KAFKA_VERSION
from edimesh.localbroker.errors import (
    BrokerError,
    BrokerExitedError,
    BrokerStartError,
    BrokerTimeoutError,
    FetchError,
    JavaMissingError,
    MavenCentralUnreachableError,
    MavenMissingError,
    PortInUseError,
)
from edimesh.localbroker.jars import fetch_jars, jars_present
from edimesh.localbroker.launcher import LocalBroker, broker_status
from edimesh.localbroker.paths import default_data_dir, kafka_home
from edimesh.localbroker.ports import free_ports, port_is_free
from edimesh.localbroker.process import BrokerStatus
from edimesh.localbroker.readiness import probe_metadata

__all__ = [
    "DEFAULT_KAFKA_VERSION",
    "BrokerConfig",
    "BrokerError",
    "BrokerExitedError",
    "BrokerStartError",
    "BrokerStatus",
    "BrokerTimeoutError",
    "BrokerTls",
    "FetchError",
    "JavaMissingError",
    "LocalBroker",
    "MavenCentralUnreachableError",
    "MavenMissingError",
    "PortInUseError",
    "broker_status",
    "default_data_dir",
    "fetch_jars",
    "free_ports",
    "jars_present",
    "kafka_home",
    "port_is_free",
    "probe_metadata",
]
