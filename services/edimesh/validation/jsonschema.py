"""JSON Schemas of the normalized content, generated from the models.

``python -m edimesh.validation.jsonschema schemas/json`` rewrites them; a unit test fails
when the files and the models disagree, so the documented field names cannot drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
from pydantic import BaseModel

from edimesh.validation.models.ack import Acknowledgment
from edimesh.validation.models.claim import ClaimTransaction
from edimesh.validation.models.eligibility import EligibilityTransaction
from edimesh.validation.models.remit import Remittance

MODELS: dict[str, type[BaseModel]] = {
    "ClaimTransaction": ClaimTransaction,
    "Remittance": Remittance,
    "EligibilityTransaction": EligibilityTransaction,
    "Acknowledgment": Acknowledgment,
}


def render(model: type[BaseModel]) -> bytes:
    """The schema of what ``to_json`` writes (serialization mode: decimals are strings)."""
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in MODELS.items():
        path = directory / f"{name}.schema.json"
        path.write_bytes(render(model))
        written.append(path)
    return written


if __name__ == "__main__":
    for written in write(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas/json")):
        sys.stderr.write(f"wrote {written}\n")
