"""Choosing dead letters to replay, and what a replay sends and shows (no Kafka)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import SecretStr

from edimesh.errors import ConfigError, SerializationError, TransientError
from edimesh.mesh import messages
from edimesh.mesh.dead_letter import dead_letter
from edimesh.mesh.dlq_replay import (
    REPLAYED_FROM_HEADER,
    ReplayFilter,
    key_label,
    parse_since,
    replay_message,
    replay_targets,
    summarize,
)
from edimesh.mesh.topics import mesh_topics
from edimesh.telemetry.masking import Masker, MaskLabel

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
KEY = b"SENDER99|RECEIVER77|000004711|4711|0001"
VALUE = b"ISA*00*..~NM1*IL*1*DOE*JANE****MI*W123456789~"


@dataclass(frozen=True)
class _Consumed:
    topic: str = "edi.transactions"
    partition: int = 4
    offset: int = 1234
    key: bytes | None = KEY
    value: bytes | None = VALUE
    headers: tuple[tuple[str, bytes], ...] = (
        ("edimesh.schema", b"TransactionSet"),
        ("edimesh.schema.version", b"1"),
        ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
    )


def _letter(
    *,
    service: str = "validator",
    exc: BaseException | None = None,
    failed_at: datetime = NOW,
    record: _Consumed | None = None,
) -> messages.DeadLetter:
    return dead_letter(
        record or _Consumed(),
        exc or SerializationError("TransactionSet v1: value does not decode (EOFError)"),
        1,
        failed_at,
        service=service,
    )


def test_an_empty_filter_takes_every_letter() -> None:
    assert ReplayFilter().matches(_letter())
    assert ReplayFilter().matches(_letter(service="splitter", exc=KeyError("x")))


def test_service_filter() -> None:
    chosen = ReplayFilter(services=frozenset({"validator"}))
    assert chosen.matches(_letter(service="validator"))
    assert not chosen.matches(_letter(service="splitter"))


@pytest.mark.parametrize(
    "wanted",
    ["SerializationError", "edimesh.errors.SerializationError"],
)
def test_error_class_filter_takes_bare_or_qualified_names(wanted: str) -> None:
    chosen = ReplayFilter(error_classes=frozenset({wanted}))
    assert chosen.matches(_letter(exc=SerializationError("bad")))
    assert not chosen.matches(_letter(exc=TransientError("later")))


def test_error_class_filter_does_not_match_a_part_of_a_name() -> None:
    chosen = ReplayFilter(error_classes=frozenset({"Error"}))
    assert not chosen.matches(_letter(exc=SerializationError("bad")))


def test_since_is_inclusive_and_compares_instants() -> None:
    chosen = ReplayFilter(since=NOW)
    assert chosen.matches(_letter(failed_at=NOW))
    assert chosen.matches(_letter(failed_at=NOW + timedelta(milliseconds=1)))
    assert not chosen.matches(_letter(failed_at=NOW - timedelta(milliseconds=1)))
    # The same instant written in another zone is the same instant.
    eastern = timezone(timedelta(hours=-5))
    assert chosen.matches(_letter(failed_at=NOW.astimezone(eastern)))


def test_original_topic_filter() -> None:
    chosen = ReplayFilter(original_topics=frozenset({"edi.files.staged"}))
    assert not chosen.matches(_letter())
    assert chosen.matches(_letter(record=_Consumed(topic="edi.files.staged")))


def test_filters_combine_with_and() -> None:
    chosen = ReplayFilter(
        services=frozenset({"validator"}),
        error_classes=frozenset({"SerializationError"}),
        since=NOW - timedelta(hours=1),
    )
    assert chosen.matches(_letter())
    assert not chosen.matches(_letter(service="splitter"))
    assert not chosen.matches(_letter(exc=TransientError("x")))
    assert not chosen.matches(_letter(failed_at=NOW - timedelta(hours=2)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", NOW - timedelta(minutes=30)),
        ("2h", NOW - timedelta(hours=2)),
        ("7d", NOW - timedelta(days=7)),
        ("45s", NOW - timedelta(seconds=45)),
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=UTC)),
        ("2026-11-24T10:00:00Z", datetime(2026, 11, 24, 10, tzinfo=UTC)),
        ("2026-11-24T10:00:00+02:00", datetime(2026, 11, 24, 8, tzinfo=UTC)),
    ],
)
def test_parse_since(text: str, expected: datetime) -> None:
    assert parse_since(text, NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "2x", "-3h", "", "10"])
def test_parse_since_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ConfigError, match="--since"):
        parse_since(text, NOW)


def test_replay_message_is_the_original_plus_where_it_came_from() -> None:
    message = replay_message(_letter(), "edi.dlq", 2, 77)
    original = _Consumed()
    assert message.topic == original.topic
    assert message.key == original.key
    assert message.value == original.value
    assert message.headers[:-1] == list(original.headers)
    assert message.headers[-1] == (REPLAYED_FROM_HEADER, b"edi.dlq/2/77")


def test_replay_keeps_a_missing_key_and_header_value() -> None:
    letter = _letter(record=_Consumed(key=None))
    letter["original_headers"].append({"key": "empty", "value": None})
    message = replay_message(letter, "edi.dlq", 0, 0)
    assert message.key is None
    assert ("empty", None) in message.headers


def test_a_summary_shows_no_key_value_or_header_value() -> None:
    masker = Masker("k9", SecretStr("x" * 40))
    summary = summarize(_letter(), 2, 77, masker)
    assert summary.key_token == masker.mask(MaskLabel.IDEMPOTENCY_KEY, KEY)
    assert summary.key_token.startswith("k9:idem:")
    assert summary.value_bytes == len(VALUE)
    shown = " ".join(str(field) for field in summary)
    for secret in (KEY.decode(), "DOE", "W123456789", "000004711", "0af7651916cd43dd"):
        assert secret not in shown
    assert (summary.dlq_partition, summary.dlq_offset) == (2, 77)
    assert (summary.original_partition, summary.original_offset) == (4, 1234)


def test_a_summary_scrubs_an_error_message_that_quotes_data() -> None:
    # DeadLetter messages are PHI-free by construction; a hand-made one must not leak either.
    letter = _letter()
    letter["error_message"] = "bad member W123456789 in NM1*IL*1*DOE*JANE~"
    summary = summarize(letter, 0, 0, Masker("k1", SecretStr("y" * 40)))
    assert "W123456789" not in summary.error_message
    assert "DOE" not in summary.error_message


def test_key_labels_match_the_services() -> None:
    assert key_label("p.edi.transactions") == MaskLabel.IDEMPOTENCY_KEY
    assert key_label("edi.files.staged") == MaskLabel.FILE_SHA256
    assert key_label("edi.acks") == MaskLabel.MESSAGE_KEY


def test_the_dlq_is_never_a_replay_target() -> None:
    topics = mesh_topics("t1.")
    targets = replay_targets(topics)
    assert topics.dlq.name not in targets
    assert topics.transactions.name in targets
    assert "edi.transactions" not in targets  # another prefix is another mesh
