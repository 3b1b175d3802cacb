"""999 implementation acknowledgments: what a partner said about one functional group.

Codes and counts only. The 999's CTX business units (a CLM01) and IK404 copies of bad values
are left out: a consumer of the acknowledgment needs the verdicts, not the echoed data.
"""

from __future__ import annotations

from edimesh.validation.models.base import Content


class SetAcknowledgment(Content):
    """One 2000 loop: AK2 .. IK5."""

    set_type: str  # AK201
    control_number: str  # AK202
    guide: str | None  # AK203
    status: str  # IK501: A, E, M, R, W, X
    error_codes: tuple[str, ...]  # IK502..IK506
    segment_errors: int  # IK3 loops


class Acknowledgment(Content):
    """One 999 transaction set."""

    kind: str  # 999
    guide: str
    functional_id: str  # AK101
    group_control_number: str  # AK102
    version: str | None  # AK103
    status: str  # AK901: A, E, M, P, R, W, X
    included: int | None  # AK902
    received: int | None  # AK903
    accepted: int | None  # AK904
    error_codes: tuple[str, ...]  # AK905..AK909
    sets: tuple[SetAcknowledgment, ...]
