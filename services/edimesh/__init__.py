"""edimesh: healthcare X12 EDI from partner SFTP through Kafka, exactly once, without PHI leaks."""

from importlib.metadata import PackageNotFoundError, version

from edimesh import native

# Before any other edimesh import: a stale compiled build must never run (see native.py).
native.guard()

try:
    __version__ = version("edimesh")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
