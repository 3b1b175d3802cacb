"""The model base class and the parties every set names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class Content(BaseModel):
    """Base of every content model: frozen, no extra fields.

    The extractors build instances with ``construct.trusted``, from values already checked.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")


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
