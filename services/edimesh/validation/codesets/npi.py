"""NPI check digit: Luhn over the card-issuer prefix 80840 and the NPI's first nine digits."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

# Doubled-digit values for the Luhn positions that are doubled.
_DOUBLE: Final = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
_PREFIX_SUM: Final = 24  # the Luhn contribution of "80840" in front of a 10-digit NPI


@lru_cache(maxsize=65536)
def is_valid_npi(npi: str) -> bool:
    if len(npi) != 10 or not (npi.isascii() and npi.isdigit()) or npi[0] not in "12":
        return False
    total = _PREFIX_SUM
    for i, ch in enumerate(npi):
        d = ord(ch) - 48
        total += _DOUBLE[d] if i % 2 == 0 else d
    return total % 10 == 0
