"""Canary values: unique strings that must never appear in a log line or a span."""

from __future__ import annotations

import hashlib

SSN = "912873465"
SSN_DASHED = "912-87-3465"
BIRTH_DATE = "19620415"
CONTROL_NUMBER = "304958172"
MEMBER_ID = "ZQXMI771204"
LAST_NAME = "ZQXDOE"
SEGMENT = f"NM1*IL*1*{LAST_NAME}*ZQXJOHN****MI*{MEMBER_ID}~"
ADDRESS_SEGMENT = "N3*1 ZQXMAPLE 448812 ST~"
ISA = (
    "ISA*00*          *00*          *ZZ*ZQXSENDER      *ZZ*RECEIVER       "
    f"*240101*1253*^*00501*{CONTROL_NUMBER}*0*P*:~"
)
IDEMPOTENCY_KEY = f"ZQXSENDER|RECEIVER|{CONTROL_NUMBER}|1|0001"
MASKING_KEY_PARTS = ("zqx-secret-masking-key", "0123456789abcdefghij")

# Values that must vanish; ZQX-only names appear in the list through their segments.
RAW = (SSN, SSN_DASHED, BIRTH_DATE, CONTROL_NUMBER, MEMBER_ID, LAST_NAME, IDEMPOTENCY_KEY)
ALL = (*RAW, SEGMENT, ADDRESS_SEGMENT, ISA, "ZQXMAPLE", "ZQXJOHN")


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def leaks(text: str) -> list[str]:
    """Canaries found in `text`, raw or as a bare sha256 (or its first 16 hex characters)."""
    found = [c for c in ALL if c in text]
    found += [f"sha256({c})" for c in ALL if sha256_hex(c)[:16] in text]
    return found
