"""The pure handler: events of one file in, the messages the splitter publishes out."""

from __future__ import annotations

import hashlib

from edimesh.splitter.handler import Verdicts
from edimesh.splitter.ledger import InterchangeLedger, LedgerEntry
from edimesh.splitter.outputs import Destination, Output
from edimesh.x12.synth import Injection, SynthError, SynthOptions, generate_837p, iter_keys
from tests.unit.splitter.helpers import context_for, only, round_trip, split

T, G, A, Q, L = (
    Destination.TRANSACTIONS,
    Destination.GROUP_MANIFESTS,
    Destination.ACKS,
    Destination.QUARANTINE,
    Destination.INTERCHANGE_LEDGER,
)
CLEAN = SynthOptions(claims=30, claims_per_set=3, sets_per_group=4, groups_per_interchange=2)


def _kinds(outputs: list[Output]) -> list[Destination]:
    return [o.destination for o in outputs]


def test_a_clean_file_gives_one_message_per_set_and_group() -> None:
    data = generate_837p(CLEAN)
    outputs, handler = split(data)
    round_trip(outputs)
    sets = only(outputs, T)
    assert [o.key for o in sets] == list(iter_keys(CLEAN))
    assert handler.sets_emitted == len(sets) == 10
    for o in sets:
        record = o.record
        assert record["body"] == data[record["byte_offset"] : o.set_end]
        assert record["body"].startswith(b"ST*837*")
        assert record["problems"] == []
        assert record["idempotency_key"] == o.key
        assert record["group_key"] == o.key.rsplit("|", 1)[0]
        assert record["envelope"]["isa06"] == "EDIMESHSUBMIT"
        assert record["delimiters"] == {"element": "*", "component": ":", "repetition": "^",
                                        "segment": "~"}  # fmt: skip
    manifests = only(outputs, G)
    assert [m.record["set_count"] for m in manifests] == [4, 4, 2]
    assert [m.record["emitted_count"] for m in manifests] == [4, 4, 2]
    assert all(m.record["problems"] == [] for m in manifests)
    ledger = only(outputs, L)
    assert [o.key for o in ledger] == ["EDIMESHSUBMIT|EDIMESHPAYER|000000001",
                                       "EDIMESHSUBMIT|EDIMESHPAYER|000000002"]  # fmt: skip
    assert not only(outputs, A)
    assert not only(outputs, Q)
    # The ledger entry goes out with the interchange's first output, before its sets.
    assert _kinds(outputs)[:2] == [L, T]


def test_a_set_level_problem_travels_with_the_set() -> None:
    options = SynthOptions(claims=12, claims_per_set=3, sets_per_group=4,
                           errors=frozenset({Injection(SynthError.SE01_COUNT, 1)}))  # fmt: skip
    outputs, _ = split(generate_837p(options))
    round_trip(outputs)
    sets = only(outputs, T)
    assert len(sets) == 4
    assert [p["code"] for p in sets[1].record["problems"]] == ["4"]
    assert sets[1].record["problems"][0]["level"] == "TRANSACTION_SET"
    assert sets[1].record["problems"][0]["segment_id"] == "SE"
    assert not only(outputs, A)


def test_a_repeated_st02_is_quarantined_not_emitted_and_reported_in_the_manifest() -> None:
    options = SynthOptions(claims=12, claims_per_set=3, sets_per_group=4,
                           errors=frozenset({Injection(SynthError.DUPLICATE_ST02, 2)}))  # fmt: skip
    outputs, _ = split(generate_837p(options))
    round_trip(outputs)
    keys = [o.key for o in only(outputs, T)]
    assert len(keys) == len(set(keys)) == 3
    [quarantined] = only(outputs, Q)
    assert quarantined.record["scope"] == "TRANSACTION_SET"
    assert quarantined.key == keys[1]  # it repeats its predecessor's ST02
    assert [e["code"] for e in quarantined.record["errors"]] == ["23"]
    assert quarantined.record["errors"][0]["element_ref"] == "ST02"
    [manifest] = only(outputs, G)
    assert (manifest.record["set_count"], manifest.record["emitted_count"]) == (4, 3)
    assert [p["code"] for p in manifest.record["problems"]] == ["23"]


def test_a_group_level_problem_goes_in_the_manifest() -> None:
    options = SynthOptions(claims=6, claims_per_set=3, errors=frozenset({SynthError.GE01_COUNT}))
    outputs, _ = split(generate_837p(options))
    [manifest] = only(outputs, G)
    assert [p["code"] for p in manifest.record["problems"]] == ["5"]
    assert manifest.record["declared_count"] == 3
    assert len(only(outputs, T)) == 2


def test_an_interchange_error_gives_a_ta1_and_a_quarantine_while_sound_sets_flow() -> None:
    options = SynthOptions(
        claims=9, claims_per_set=3, errors=frozenset({SynthError.IEA02_MISMATCH})
    )
    data = generate_837p(options)
    outputs, _ = split(data)
    round_trip(outputs)
    assert len(only(outputs, T)) == 3
    [ack] = only(outputs, A)
    assert ack.key == "EDIMESHSUBMIT|EDIMESHPAYER|000000001"
    assert ack.record["kind"] == "TA1"
    assert (ack.record["status"], ack.record["note_code"]) == ("E", "001")
    assert "TA1*000000001*240315*0930*E*001~" in ack.record["x12"]
    assert ack.record["acknowledges"]["isa13"] == "000000001"
    [quarantined] = only(outputs, Q)
    assert quarantined.record["scope"] == "INTERCHANGE"
    assert quarantined.record["category"] == "ENVELOPE"
    assert quarantined.key == ack.key
    assert [(e["code"], e["element_ref"]) for e in quarantined.record["errors"]] == [
        ("001", "IEA02")
    ]
    assert quarantined.record["raw"] == {"staging_uri": f"file:///staging/{context_for(data).file_id}",
                                         "byte_offset": 0, "length": len(data),
                                         "sha256": hashlib.sha256(data).hexdigest()}  # fmt: skip
    # TA1, then quarantine, after the last set of the interchange.
    assert _kinds(outputs)[-2:] == [A, Q]


def test_a_truncated_file_gives_ta1_023_and_keeps_its_complete_sets() -> None:
    options = SynthOptions(claims=9, claims_per_set=3, errors=frozenset({SynthError.MISSING_IEA}))
    outputs, _ = split(generate_837p(options))
    [ack] = only(outputs, A)
    assert ack.record["note_code"] == "023"
    assert len(only(outputs, T)) == 3


def test_a_malformed_isa13_is_answered_but_never_enters_the_ledger() -> None:
    options = SynthOptions(claims=3, claims_per_set=3, errors=frozenset({SynthError.BAD_ISA13}))
    outputs, _ = split(generate_837p(options))
    [ack] = only(outputs, A)
    assert ack.record["note_code"] == "018"
    assert not only(outputs, L)
    assert len(only(outputs, T)) == 1


def test_an_interchange_accepted_from_another_file_is_a_duplicate() -> None:
    data = generate_837p(CLEAN)
    ledger = InterchangeLedger()
    ledger.record("EDIMESHSUBMIT|EDIMESHPAYER|000000001", LedgerEntry("f" * 64, 1))
    outputs, handler = split(data, ledger=ledger)
    round_trip(outputs)
    # Interchange 1 (8 sets) is a duplicate; interchange 2 (2 sets) is new.
    assert [o.key for o in only(outputs, T)] == list(iter_keys(CLEAN))[8:]
    assert len(only(outputs, G)) == 1
    [ack] = only(outputs, A)
    assert (ack.record["status"], ack.record["note_code"]) == ("R", "025")
    assert "TA1*000000001*240315*0930*R*025~" in ack.record["x12"]
    [quarantined] = only(outputs, Q)
    assert quarantined.record["errors"][0]["code"] == "025"
    assert quarantined.record["errors"][0]["element_ref"] == "ISA13"
    assert [o.key for o in only(outputs, L)] == ["EDIMESHSUBMIT|EDIMESHPAYER|000000002"]
    assert handler.verdicts == Verdicts(2, frozenset({1}))


def test_the_same_file_and_interchange_in_the_ledger_is_not_a_duplicate() -> None:
    data = generate_837p(CLEAN)
    ledger = InterchangeLedger()
    ledger.record("EDIMESHSUBMIT|EDIMESHPAYER|000000001", LedgerEntry(context_for(data).file_id, 1))
    outputs, _ = split(data, ledger=ledger)
    assert len(only(outputs, T)) == 10
    assert not only(outputs, A)


def test_an_interchange_repeated_inside_one_file_is_a_duplicate() -> None:
    one = generate_837p(SynthOptions(claims=6, claims_per_set=3))
    data = one + one
    # The ledger is empty: the first copy is not committed yet when the second one starts.
    outputs, handler = split(data)
    assert len(only(outputs, T)) == 2
    [ack] = only(outputs, A)
    assert ack.record["note_code"] == "025"
    assert handler.verdicts == Verdicts(2, frozenset({2}))
    # Resumed after the first copy committed: the ledger names this file and ordinal 1.
    ledger = InterchangeLedger()
    ledger.record(only(outputs, L)[0].key, LedgerEntry(context_for(data).file_id, 1))
    again, _ = split(data, ledger=ledger, prior=Verdicts(1, frozenset()))
    assert [(o.destination, o.key) for o in again] == [(o.destination, o.key) for o in outputs]


def test_resuming_replays_the_recorded_verdicts_whatever_the_ledger_says_now() -> None:
    data = generate_837p(CLEAN)
    first, handler = split(data)
    # Since the first run, another file's entry for interchange 1 won the compaction.
    ledger = InterchangeLedger()
    ledger.record("EDIMESHSUBMIT|EDIMESHPAYER|000000001", LedgerEntry("e" * 64, 1))
    again, _ = split(data, ledger=ledger, prior=handler.verdicts)
    assert [(o.destination, o.key) for o in again] == [(o.destination, o.key) for o in first]


def test_output_order_does_not_depend_on_chunking() -> None:
    data = generate_837p(CLEAN)
    reference = [(o.destination, o.key) for o in split(data, chunk=1 << 20)[0]]
    for chunk in (1, 7, 100, 4096):
        assert [(o.destination, o.key) for o in split(data, chunk=chunk)[0]] == reference


def test_a_file_without_an_isa_is_quarantined_as_a_file() -> None:
    data = b"this is not an X12 file at all\n" * 10
    outputs, _ = split(data)
    round_trip(outputs)
    [quarantined] = outputs
    assert quarantined.destination is Q
    assert quarantined.key == context_for(data).file_id
    assert quarantined.record["scope"] == "FILE"
    assert [e["code"] for e in quarantined.record["errors"]] == ["no_isa"]
    assert quarantined.record["raw"]["length"] == len(data)


def test_an_empty_file_is_quarantined_as_a_file() -> None:
    outputs, _ = split(b"")
    [quarantined] = outputs
    assert [e["code"] for e in quarantined.record["errors"]] == ["empty_input"]


def test_an_isa_with_unusable_delimiters_cannot_be_answered_and_quarantines_the_file() -> None:
    good = generate_837p(SynthOptions(claims=3, claims_per_set=3))
    bad = good.replace(b"*:~", b"***", 1)  # ISA16 equal to the element separator
    outputs, _ = split(bad)
    round_trip(outputs)
    assert not only(outputs, A)
    assert not only(outputs, T)
    [quarantined] = only(outputs, Q)
    assert quarantined.record["scope"] == "FILE"
    assert quarantined.record["errors"][0]["code"] == "027"


def test_a_big_set_goes_by_reference_with_the_sha256_of_its_bytes() -> None:
    options = SynthOptions(claims=40, claims_per_set=20)
    data = generate_837p(options)
    outputs, _ = split(data, max_set_bytes=2000)
    round_trip(outputs)
    ctx = context_for(data)
    sets = only(outputs, T)
    assert len(sets) == 2
    for o in sets:
        body = o.record["body"]
        assert isinstance(body, dict)
        assert body["staging_uri"] == ctx.staging_uri
        piece = data[body["byte_offset"] : body["byte_offset"] + body["length"]]
        assert piece.startswith(b"ST*")
        assert piece.endswith(b"~")
        assert hashlib.sha256(piece).hexdigest() == body["sha256"]
        assert body["byte_offset"] + body["length"] == o.set_end
