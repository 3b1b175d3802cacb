"""Compile the validation hot path with mypyc, in place.

    python -m edimesh.native_build           # build (scripts/setup and the image do this)
    python -m edimesh.native_build --clean   # remove the build: everything runs as pure Python

The sources stay the reference: the compiled modules are the same code, type-checked by mypy
strict and compiled to C. They give the same results (``tests/unit/validation/test_native.py``
compares both on the corpus and synthetic sets). ``edimesh.native`` decides at import whether
the build is current. Needs mypy (a dev dependency), setuptools and a C compiler.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import sys
import tempfile
from pathlib import Path

from edimesh.native import MANIFEST, PACKAGE_DIR, digest, read_status, source_path

# The modules one validated set runs through, except the pydantic models (mypyc cannot
# compile pydantic classes) and pattern building (runs once per guide and delimiter set).
MODULES = (
    "edimesh.validation.engine",
    "edimesh.validation.parser",
    "edimesh.validation.trusted",
    "edimesh.validation.tree",
    "edimesh.validation.transitions",
    "edimesh.validation.elements",
    "edimesh.validation.findings",
    "edimesh.validation.spec.compiled",
    "edimesh.validation.models.construct",
    "edimesh.validation.extract.common",
    "edimesh.validation.extract.claims",
    "edimesh.validation.extract.remits",
    "edimesh.validation.extract.eligibility",
    "edimesh.validation.extract.acks",
    "edimesh.validation.rules.balancing",
    "edimesh.validation.rules.situational",
    "edimesh.validation.rules.codesets",
    "edimesh.validation.rules.report",
    "edimesh.validation.spec.values",
    "edimesh.validation.codesets.npi",
    "edimesh.validation.codesets.lists",
)
GROUP = "edimesh.validation._native"  # the shared library: edimesh/validation/_native__mypyc*.so
SOURCE_ROOT = PACKAGE_DIR.parent
PROJECT_ROOT = SOURCE_ROOT.parent


def _extensions() -> list[Path]:
    suffixes = (".so", ".pyd")
    return [p for p in PACKAGE_DIR.rglob("*") if p.suffix in suffixes and p.is_file()]


def clean() -> int:
    removed = _extensions()
    for path in removed:
        path.unlink()
    MANIFEST.unlink(missing_ok=True)
    return len(removed)


def build(build_dir: Path) -> None:
    config = PROJECT_ROOT / "pyproject.toml"
    if not config.is_file():
        raise SystemExit(f"{PACKAGE_DIR} is not in a source checkout (no {config}): build from "
                         "the checkout, e.g. PYTHONPATH=services python -m edimesh.native_build")
    from mypyc.build import mypycify  # noqa: PLC0415 - build-time only
    from setuptools import setup  # type: ignore[import-untyped]  # noqa: PLC0415

    clean()
    sources = [str(source_path(m).relative_to(SOURCE_ROOT)) for m in MODULES]
    cwd = Path.cwd()
    os.chdir(SOURCE_ROOT)  # mypyc names modules and places extensions from here
    try:
        options = ["--config-file", str(config), "--cache-dir", str(build_dir / "mypy-cache")]
        extensions = mypycify([*options, *sources], opt_level="3",
                              group_name=GROUP, target_dir=str(build_dir / "c"))
        setup(name="edimesh-native", ext_modules=extensions, script_args=[
            "--quiet", "build_ext", "--inplace", "--parallel", str(os.cpu_count() or 1),
            "--build-temp", str(build_dir / "obj"), "--build-lib", str(build_dir / "lib"),
        ])
    finally:
        os.chdir(cwd)
    missing = [m for m in MODULES if not list(source_path(m).parent.glob(
        source_path(m).stem + ".*.so"))]
    if missing:
        raise SystemExit(f"mypyc built no extension for: {', '.join(missing)}")
    MANIFEST.write_text(json.dumps({
        "compiler": f"mypyc {importlib.metadata.version('mypy')}",
        "modules": {m: digest(source_path(m)) for m in MODULES},
    }, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m edimesh.native_build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules")
    parser.add_argument("--if-needed", action="store_true",
                        help="do nothing when the build is complete and current")
    parser.add_argument("--build-dir", type=Path, default=None,
                        help="where the C sources and objects go (default: a temporary dir)")
    args = parser.parse_args(argv)
    if args.clean:
        sys.stdout.write(f"removed {clean()} compiled modules\n")
        return 0
    status = read_status()
    if args.if_needed and status.built and not status.stale:
        sys.stdout.write(f"compiled modules are current ({len(status.built)})\n")
        return 0
    if args.build_dir is not None:
        build(args.build_dir.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="edimesh-native-") as tmp:
            build(Path(tmp))
    sys.stdout.write(f"compiled {len(MODULES)} modules with mypyc; manifest {MANIFEST}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
