"""Trusted construction gives the same models as full validation; the JSON Schemas in
schemas/json are the ones the models generate."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from pydantic import BaseModel

from edimesh.validation.jsonschema import MODELS, render
from edimesh.validation.result import to_json

from .test_corpus import CORPUS, VALID, results

SCHEMAS = Path(__file__).parents[3] / "schemas" / "json"


def _valid_content() -> list[tuple[str, BaseModel]]:
    out: list[tuple[str, BaseModel]] = []
    for name in VALID:
        for _, result in results(CORPUS / name):
            if result.content is not None:
                out.append((name, result.content))
    return out


@pytest.mark.parametrize(("name", "content"), _valid_content(), ids=lambda v: str(v)[-30:])
def test_trusted_models_equal_validated_ones(name: str, content: BaseModel) -> None:
    again = type(content).model_validate(content.model_dump())
    assert again == content
    assert to_json(again) == to_json(content)
    assert orjson.loads(to_json(content)) == content.model_dump(mode="json")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_json_schemas_are_current(name: str) -> None:
    path = SCHEMAS / f"{name}.schema.json"
    assert path.read_bytes() == render(MODELS[name]), (
        "regenerate: python -m edimesh.validation.jsonschema schemas/json")


def test_models_are_frozen() -> None:
    (_, content), *_ = _valid_content()
    with pytest.raises(ValueError, match="frozen"):
        content.kind = "x"  # type: ignore[attr-defined]
