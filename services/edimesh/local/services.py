"""Which services a local run starts, and the environment each is given."""

from __future__ import annotations

from edimesh.local.layout import RunLayout
from edimesh.local.processes import base_env

SERVICES = ("transfer", "splitter", "validator")


def acknowledger_available() -> bool:
    """Does this edimesh have `edimesh run acknowledger` yet?"""
    from edimesh.commands import run  # noqa: PLC0415 - the CLI imports this module

    return any(
        (command.name or getattr(command.callback, "__name__", "")) == "acknowledger"
        for command in run.app.registered_commands
    )


def service_env(
    layout: RunLayout, bootstrap: str, *, trace: bool, masking_key: str
) -> dict[str, str]:
    """What every service of the run is told; each reads only its own prefix."""
    staging = str(layout.staging)
    return base_env(
        {
            "EDIMESH_BOOTSTRAP": bootstrap,
            "EDIMESH_ENV": "development",
            "EDIMESH_MASKING_KEY": masking_key,
            "EDIMESH_MASKING_KEY_ID": "local",
            "EDIMESH_HEALTH_PORT": "off",  # four services on one machine: no port 8080 fight
            "EDIMESH_CONSOLE_TRACES": "true" if trace else "false",
            "EDIMESH_TRANSFER_PARTNERS_FILE": str(layout.partners_file),
            "EDIMESH_TRANSFER_STAGING_DIR": staging,
            "EDIMESH_TRANSFER_CREATE_TOPICS": "false",
            "EDIMESH_SPLITTER_STAGING_ROOT": staging,
            "EDIMESH_VALIDATOR_STAGING_ROOT": staging,
        }
    )
