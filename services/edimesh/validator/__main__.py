"""`python -m edimesh.validator`: run the validator until SIGTERM or SIGINT."""

from __future__ import annotations

from edimesh.mesh.launch import run_service
from edimesh.validator.service import ValidatorService
from edimesh.validator.settings import ValidatorSettings


def main() -> None:
    """Start the validator; return after a graceful stop."""
    run_service("validator", "EDIMESH_VALIDATOR_", ValidatorSettings, ValidatorService)


if __name__ == "__main__":
    main()
