"""The compiled build (``python -m edimesh.native_build``) and its guard.

The compiled modules must say exactly what their sources say; a stale build must never run.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from edimesh import native
from edimesh.native_build import MODULES

from . import native_results

_STATUS = native.read_status()


def _require_build() -> None:
    if not _STATUS.built:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs the compiled build: scripts/setup runs `{native.REBUILD}`")
        pytest.skip(f"not compiled: `{native.REBUILD}` builds it")


def test_every_listed_module_runs_compiled() -> None:
    _require_build()
    assert _STATUS.active, _STATUS.describe()
    for module in MODULES:
        importlib.import_module(module)
    assert native.loaded_compiled(MODULES) == list(MODULES)


@pytest.mark.slow
def test_compiled_and_pure_python_give_the_same_results() -> None:
    _require_build()
    env = {**os.environ, native.PURE_ENV: "1"}
    env.pop("PYTHONWARNINGS", None)
    pure = subprocess.run(
        [sys.executable, "-c", "import sys; from tests.unit.validation import native_results as r;"
         "from edimesh import native; from edimesh.native_build import MODULES;"
         "assert not native.loaded_compiled(MODULES);"
         "[sys.stdout.buffer.write(x + b'\\n') for x in r.results()];"
         "assert not native.loaded_compiled(MODULES), 'compiled modules loaded'"],
        env=env, cwd=Path(__file__).parents[3], capture_output=True, check=True, timeout=240,
    ).stdout.splitlines()
    compiled = list(native_results.results())
    assert native.loaded_compiled(MODULES) == list(MODULES)
    assert len(pure) == len(compiled) > 400
    assert [json.loads(x) for x in compiled] == [json.loads(x) for x in pure]


def _package(tmp_path: Path, source: str = "VALUE = 'source'\n") -> tuple[Path, Path]:
    pkg = tmp_path / "nativepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "mod.py").write_text(source)
    # not a loadable extension: importing it fails, so a passing import came from mod.py
    (pkg / f"mod{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"not an ELF file")
    manifest = tmp_path / "native.json"
    manifest.write_text(json.dumps({"modules": {"nativepkg.mod": native.digest(pkg / "mod.py")}}))
    return pkg, manifest


def test_status_is_current_until_a_source_changes(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    pkg, manifest = _package(tmp_path)
    assert native.read_status(manifest, pkg).active
    (pkg / "mod.py").write_text("VALUE = 'edited'\n")
    status = native.read_status(manifest, pkg)
    assert status.stale == ("nativepkg.mod",)
    assert not status.active
    assert "stale" in status.describe()


def test_pure_python_on_request_and_without_a_build(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pkg, manifest = _package(tmp_path)
    monkeypatch.setenv(native.PURE_ENV, "1")
    assert not native.read_status(manifest, pkg).active
    monkeypatch.delenv(native.PURE_ENV)
    assert native.read_status(tmp_path / "absent.json", pkg).built == ()
    (tmp_path / "broken.json").write_text("{")
    assert native.read_status(tmp_path / "broken.json", pkg).stale  # unreadable = stale


def test_source_only_finder_skips_the_extension(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _package(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("nativepkg", "nativepkg.mod"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(ImportError):  # the default finders prefer the extension
        importlib.import_module("nativepkg.mod")
    monkeypatch.delitem(sys.modules, "nativepkg")
    monkeypatch.setattr(sys, "meta_path", [native.SourceOnlyFinder("nativepkg"), *sys.meta_path])
    assert importlib.import_module("nativepkg.mod").VALUE == "source"
