"""Small external code sets kept here as data, and format checks for large ones.

State and province codes (X12 code source 22), CMS place-of-service codes, and the formats
of CPT/HCPCS, CDT, CARC, RARC, NUCC taxonomy and ZIP codes. Large lists that change often
(CPT, HCPCS, CARC, RARC, taxonomy) are checked for format only, and a finding says that the
list itself was not loaded.
"""

from __future__ import annotations

import re
from typing import Final

US_STATES: Final = frozenset((
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI", "FM", "MH", "PW", "AA",
    "AE", "AP"
))  # fmt: skip
CA_PROVINCES: Final = frozenset((
    "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"
))  # fmt: skip
STATES: Final = US_STATES | CA_PROVINCES

# CMS place of service code set (as of 2025).
PLACES_OF_SERVICE: Final = frozenset((
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15",
    "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "31", "32", "33",
    "34", "41", "42", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61",
    "62", "65", "66", "71", "72", "81", "99"
))  # fmt: skip

US_ZIP: Final = re.compile(r"\d{5}(?:\d{4})?\Z")
CA_POSTAL: Final = re.compile(r"[A-Z]\d[A-Z]\d[A-Z]\d\Z")
# CPT: five digits, or four digits and F (category II), T (III), U (PLA) or M (MAAA);
# HCPCS level II: a letter A-V and four digits.
HCPCS: Final = re.compile(r"(?:\d{4}[0-9FMTU]|[A-V]\d{4})\Z")
CDT: Final = re.compile(r"D\d{4}\Z")
MODIFIER: Final = re.compile(r"[0-9A-Z]{2}\Z")
CARC: Final = re.compile(r"(?:\d{1,3}|[A-Z]\d{1,2})\Z")
RARC: Final = re.compile(r"(?:MA|M|N)\d{1,4}\Z")
TAXONOMY: Final = re.compile(r"[0-9A-Z]{10}\Z")
COUNTRY: Final = re.compile(r"[A-Z]{2}\Z")
SERVICE_TYPE: Final = re.compile(r"[0-9A-Z]{1,2}\Z")
