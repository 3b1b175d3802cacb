"""Release changed schemas: copy `schemas/<Name>.avsc` to `schemas/released/<Name>/v<N+1>.avsc`
when it differs (docs aside) from the newest released version.

Run `python -m edimesh.mesh.schema_release` after editing a schema, then let
tests/unit/test_schema_compat.py prove that the new version still reads every older one.
Released files are never edited afterwards: Kafka holds data written with them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from edimesh.mesh.schemas import released_versions, schema_dir, without_docs


def release_changed(directory: Path) -> list[Path]:
    """Write a new released version for each schema that changed; return the files written."""
    written = []
    for path in sorted(directory.glob("*.avsc")):
        folder = directory / "released" / path.stem
        versions = sorted(released_versions(folder))
        text = path.read_text(encoding="utf-8")
        if versions:
            latest = json.loads((folder / f"v{versions[-1]}.avsc").read_text(encoding="utf-8"))
            if without_docs(latest) == without_docs(json.loads(text)):
                continue
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"v{(versions[-1] if versions else 0) + 1}.avsc"
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def main() -> int:
    for target in release_changed(schema_dir()):
        sys.stderr.write(f"released {target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
