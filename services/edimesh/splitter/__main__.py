"""`python -m edimesh.splitter`: run the splitter until SIGTERM or SIGINT."""

from __future__ import annotations

from edimesh.mesh.launch import run_service
from edimesh.splitter.service import SplitterService
from edimesh.splitter.settings import SplitterSettings


def main() -> None:
    """Start the splitter; return after a graceful stop."""
    run_service("splitter", "EDIMESH_SPLITTER_", SplitterSettings, SplitterService)


if __name__ == "__main__":
    main()
