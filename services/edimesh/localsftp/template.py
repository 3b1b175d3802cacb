"""Render deploy/sftp/sshd_config (or another template with the same placeholders)."""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path

from edimesh.localsftp.errors import SshdError

# The repository's shipped template; the package lives at services/edimesh/localsftp.
DEFAULT_TEMPLATE = Path(__file__).resolve().parents[3] / "deploy" / "sftp" / "sshd_config"


def render(values: Mapping[str, str], template: Path = DEFAULT_TEMPLATE) -> str:
    """The config text with every placeholder filled; SshdError if one is missing."""
    try:
        text = template.read_text(encoding="utf-8")
    except OSError as exc:
        raise SshdError(f"cannot read the sshd_config template {template}: {exc.strerror}") from exc
    try:
        return string.Template(text).substitute(values)
    except (KeyError, ValueError) as exc:
        raise SshdError(f"sshd_config template {template}: placeholder {exc} not given") from exc
