"""The splitter service: staged X12 files in, one Kafka message per transaction set out.

Consumes `edi.files.staged`, streams each staged file through the X12 core, and publishes
TransactionSet, GroupManifest, TA1 and Quarantined messages exactly once, in bounded Kafka
transactions that also record the file's progress (see `service.py` for the whole picture).
"""
