"""Which edimesh modules run compiled (mypyc), and a guard that never runs a stale build.

``python -m edimesh.native_build`` compiles the validation hot path in place: an extension
module next to each listed source, and ``native.json`` recording each source's sha256. Python
prefers an extension to a source of the same name, so after a source is edited the old build
would still run. ``guard()``, called when ``edimesh`` is first imported, prevents that: when any
recorded source changed (or ``EDIMESH_PURE_PYTHON=1`` asks for it) every edimesh module is
loaded from its source. All or none: compiled modules call each other inside one shared
library, so one stale module makes the whole build stale.

Stdlib only: this runs before anything else in the package.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import json
import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

PURE_ENV = "EDIMESH_PURE_PYTHON"
PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST = PACKAGE_DIR / "native.json"
REBUILD = "python -m edimesh.native_build"


@dataclass(frozen=True)
class NativeStatus:
    built: tuple[str, ...]  # modules the manifest lists
    stale: tuple[str, ...]  # of those, modules whose source changed since the build
    pure_requested: bool

    @property
    def active(self) -> bool:
        return bool(self.built) and not self.stale and not self.pure_requested

    def describe(self) -> str:
        if self.active:
            return f"compiled with mypyc ({len(self.built)} modules)"
        if self.stale:
            return f"pure Python: the compiled build is stale; rebuild with `{REBUILD}`"
        if self.built:
            return f"pure Python ({PURE_ENV} is set)"
        return f"pure Python (not compiled; `{REBUILD}` compiles the hot path)"


def source_path(module: str, package_dir: Path = PACKAGE_DIR) -> Path:
    """The source file of an ``edimesh.*`` module."""
    return package_dir.joinpath(*module.split(".")[1:]).with_suffix(".py")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_status(manifest: Path = MANIFEST, package_dir: Path = PACKAGE_DIR) -> NativeStatus:
    pure = os.environ.get(PURE_ENV, "").strip().lower() in {"1", "true", "yes"}
    try:
        recorded: dict[str, str] = json.loads(manifest.read_text())["modules"]
    except FileNotFoundError:
        return NativeStatus((), (), pure)
    except (ValueError, KeyError, TypeError):  # unreadable: treat every module as stale
        return NativeStatus(("?",), ("?",), pure)
    stale = []
    for module, expected in recorded.items():
        path = source_path(module, package_dir)
        if not path.is_file() or digest(path) != expected:
            stale.append(module)
    return NativeStatus(tuple(recorded), tuple(stale), pure)


class SourceOnlyFinder(importlib.abc.MetaPathFinder):
    """Finds the modules of one package from their ``.py`` files, never from extensions."""

    def __init__(self, package: str) -> None:
        self.prefix = package + "."

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if path is None or not fullname.startswith(self.prefix):
            return None
        loaders = [(importlib.machinery.SourceFileLoader, importlib.machinery.SOURCE_SUFFIXES)]
        for entry in path:
            spec = importlib.machinery.FileFinder(entry, *loaders).find_spec(fullname, target)
            if spec is not None:
                return spec
        return None


def guard(package: str = "edimesh") -> NativeStatus:
    """Load the package from source unless its compiled build is complete and current."""
    status = read_status()
    if status.built and not status.active:
        if status.stale and not status.pure_requested:
            warnings.warn(
                f"compiled edimesh modules are older than their sources ({len(status.stale)} "
                f"changed): running pure Python; rebuild with `{REBUILD}`",
                RuntimeWarning, stacklevel=2)
        if not any(isinstance(f, SourceOnlyFinder) for f in sys.meta_path):
            sys.meta_path.insert(0, SourceOnlyFinder(package))
    return status


def loaded_compiled(modules: Sequence[str]) -> list[str]:
    """Those of `modules` (already imported) that came from an extension module."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return [m for m in modules
            if (mod := sys.modules.get(m)) is not None
            and str(getattr(mod, "__file__", "")).endswith(suffixes)]
