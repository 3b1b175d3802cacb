"""Wheel build hook: a wheel that carries the compiled modules is tagged for this platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class NativeTagHook(BuildHookInterface):  # type: ignore[misc]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if (Path(self.root) / "services" / "edimesh" / "native.json").is_file():
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
