"""The benchmark's own Kafka clients, built with the services' `EDIMESH_KAFKA_*` TLS and SASL
options (mesh/kafka_security.py), so `edimesh bench --bootstrap` can measure a secured broker.

Every producer, consumer and admin client under edimesh/bench comes from here.
"""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from edimesh.mesh.kafka_security import client_options


def producer(bootstrap: str, **options: Any) -> AIOKafkaProducer:
    return AIOKafkaProducer(bootstrap_servers=bootstrap, **options, **client_options())


def consumer(bootstrap: str, **options: Any) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(bootstrap_servers=bootstrap, **options, **client_options())


def admin(bootstrap: str) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_options())
