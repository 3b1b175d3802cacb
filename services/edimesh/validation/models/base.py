"""The model base class, the trusted constructor, and the parties every set names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

M = TypeVar("M", bound="Content")
_new = object.__new__
# BaseModel's own slot descriptors: setting through them skips object.__setattr__'s lookup.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


class Content(BaseModel):
    """Base of every content model: frozen, no extra fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    _field_names: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def trusted(cls: type[M], values: dict[str, Any]) -> M:
        """An instance from values the parser has already checked and typed.

        Pydantic's own validation would check them again, at several microseconds a model;
        this sets the instance state directly, as ``model_construct`` does, without its
        per-field loop. `values` must hold every field, in declaration order: the tests
        rebuild every trusted instance with full validation and compare.
        """
        obj = _new(cls)
        _set_dict(obj, values)
        _set_fields_set(obj, cls.__pydantic_fields_set_all__)  # type: ignore[attr-defined]
        _set_extra(obj, None)
        _set_private(obj, None)
        return obj

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__pydantic_fields_set_all__ = set(cls.model_fields)  # type: ignore[attr-defined]


class Party(Content):
    """A person or organisation named by NM1 or N1, with its address when the set gives one."""

    entity: str | None  # NM102: "1" person, "2" organisation (None for N1)
    name: str  # organisation name or last name
    first_name: str | None
    middle_name: str | None
    suffix: str | None
    id_qualifier: str | None  # NM108 / N103, e.g. XX (NPI), MI (member id), PI (payer id)
    id: str | None
    address_lines: tuple[str, ...]
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None


class Reference(Content):
    qualifier: str  # REF01
    value: str  # REF02


class Demographics(Content):
    birth_date: date | None
    gender: str | None  # F, M, U


Money = Decimal
