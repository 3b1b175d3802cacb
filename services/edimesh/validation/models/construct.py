"""Content models from values the parser has already checked and typed (compiled: hot).

Pydantic's own validation would check them again, at several microseconds a model; this sets
the instance state directly, as ``model_construct`` does, without its per-field loop. `values`
must hold every field, in declaration order: the tests rebuild every trusted instance with
full validation and compare.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

from pydantic import BaseModel

from edimesh.validation.models.base import Content

M = TypeVar("M", bound=Content)
_new: Final = object.__new__
# BaseModel's own slot descriptors: setting through them skips object.__setattr__'s lookup.
_set_dict: Final = BaseModel.__dict__["__dict__"].__set__
_set_fields_set: Final = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra: Final = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private: Final = BaseModel.__dict__["__pydantic_private__"].__set__


_FIELDS: Final[dict[type, set[str]]] = {}  # every field name, per model class


def trusted(model: type[M], values: dict[str, Any]) -> M:
    fields = _FIELDS.get(model)
    if fields is None:
        fields = _FIELDS[model] = set(model.model_fields)
    obj: M = _new(model)
    _set_dict(obj, values)
    _set_fields_set(obj, fields)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj
