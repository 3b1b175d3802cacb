"""`python -m edimesh.acknowledger`: run the acknowledger until SIGTERM or SIGINT."""

from __future__ import annotations

from edimesh.acknowledger.service import AcknowledgerService
from edimesh.acknowledger.settings import AcknowledgerSettings
from edimesh.mesh.launch import run_service


def main() -> None:
    """Start the acknowledger; return after a graceful stop."""
    run_service("acknowledger", "EDIMESH_ACKNOWLEDGER_", AcknowledgerSettings, AcknowledgerService)


if __name__ == "__main__":
    main()
