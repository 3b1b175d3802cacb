"""Typed, normalized content of transaction sets: frozen pydantic v2 models.

Field names are the stable contract of the normalized JSON (``schemas/json/*.schema.json``
are generated from these classes). Amounts are exact decimals, serialized as strings; dates
are ISO dates. Codes stay as the guide spells them (``"ABK"``, ``"HC"``, ``"CO"``).
"""
