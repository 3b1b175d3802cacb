"""Attribute names and values of the OpenTelemetry semantic conventions that edimesh uses.

Written out here (rather than imported from `opentelemetry.semconv._incubating`, a private and
unstable module) so a rename upstream is a conscious change; a unit test checks each name
against the installed semantic-conventions package.
"""

from __future__ import annotations

from typing import Final

# Resource
SERVICE_NAME: Final = "service.name"
SERVICE_VERSION: Final = "service.version"
DEPLOYMENT_ENVIRONMENT_NAME: Final = "deployment.environment.name"
# Superseded by deployment.environment.name, still the one many backends (and issue 8) read.
DEPLOYMENT_ENVIRONMENT: Final = "deployment.environment"

# Messaging, for Kafka
MESSAGING_SYSTEM: Final = "messaging.system"
MESSAGING_DESTINATION_NAME: Final = "messaging.destination.name"
MESSAGING_DESTINATION_PARTITION_ID: Final = "messaging.destination.partition.id"
MESSAGING_KAFKA_OFFSET: Final = "messaging.kafka.offset"
MESSAGING_KAFKA_MESSAGE_KEY: Final = "messaging.kafka.message.key"
MESSAGING_CONSUMER_GROUP_NAME: Final = "messaging.consumer.group.name"
MESSAGING_OPERATION_TYPE: Final = "messaging.operation.type"
MESSAGING_OPERATION_NAME: Final = "messaging.operation.name"
MESSAGING_BATCH_MESSAGE_COUNT: Final = "messaging.batch.message_count"
MESSAGING_CLIENT_ID: Final = "messaging.client.id"

MESSAGING_SYSTEM_KAFKA: Final = "kafka"
OPERATION_SEND: Final = "send"
OPERATION_PROCESS: Final = "process"

# edimesh domain attributes: codes and counts only, never element values
EDIMESH_SET_ID: Final = "edimesh.x12.set_id"  # ST01: 837, 835, 270...
EDIMESH_GUIDE: Final = "edimesh.x12.guide"  # implementation guide version, e.g. 005010X222A1
EDIMESH_SEGMENTS: Final = "edimesh.x12.segment_count"
EDIMESH_SETS: Final = "edimesh.x12.set_count"
EDIMESH_CLAIMS: Final = "edimesh.x12.claim_count"
EDIMESH_ROUTE: Final = "edimesh.route"  # validated, schema, business, envelope
EDIMESH_SNIP_LEVELS: Final = "edimesh.snip_levels"  # SNIP levels of the error findings
EDIMESH_ACK_STATUS: Final = "edimesh.ack.status"  # AK901 / IK501
EDIMESH_TIMED_OUT: Final = "edimesh.ack.timed_out"

# Errors
ERROR_TYPE: Final = "error.type"
EXCEPTION_EVENT: Final = "exception"
EXCEPTION_TYPE: Final = "exception.type"
EXCEPTION_MESSAGE: Final = "exception.message"
EXCEPTION_STACKTRACE: Final = "exception.stacktrace"
