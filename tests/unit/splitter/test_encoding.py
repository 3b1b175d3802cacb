"""The splitter's fast encoders write exactly the bytes `codec.encode` writes."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from edimesh.mesh.codec import decode, encode
from edimesh.mesh.schemas import MessageType
from edimesh.splitter.encoding import TrustedEncoder
from edimesh.splitter.set_encoder import SetEncoder
from edimesh.x12.synth import Injection, SynthError, SynthOptions, generate_837p
from tests.unit.mesh_samples import BY_REFERENCE, SAMPLES, TRANSACTION_SET
from tests.unit.splitter.helpers import split

text = st.text(st.characters(codec="utf-8"), max_size=30)
longs = st.integers(min_value=-(2**63), max_value=2**63 - 1)
ints = st.integers(min_value=-(2**31), max_value=2**31 - 1)
problem = st.fixed_dictionaries({
    "level": st.sampled_from(["INTERCHANGE", "GROUP", "TRANSACTION_SET"]),
    "code": text, "message": text,
    "segment_id": st.none() | text,
    "segment_position": st.none() | longs,
    "byte_offset": st.none() | longs,
})  # fmt: skip


def test_the_set_encoder_applies_to_the_current_schema() -> None:
    assert SetEncoder().usable


def test_every_output_of_a_split_encodes_as_the_codec_does() -> None:
    options = SynthOptions(claims=40, claims_per_set=2, sets_per_group=3, groups_per_interchange=2,
                           errors=frozenset({Injection(SynthError.SE01_COUNT, 1),
                                             Injection(SynthError.DUPLICATE_ST02, 4),
                                             SynthError.IEA02_MISMATCH}))  # fmt: skip
    outputs, _ = split(generate_837p(options), max_set_bytes=3000)
    encoder = TrustedEncoder()
    assert {o.message_type for o in outputs} >= {MessageType.TRANSACTION_SET,
                                                 MessageType.GROUP_MANIFEST}  # fmt: skip
    for out in outputs:
        assert encoder.encode(out.message_type, out.record) == encode(out.message_type, out.record)


def test_samples_and_references_encode_as_the_codec_does() -> None:
    encoder = TrustedEncoder()
    for message_type, record in SAMPLES.items():
        assert encoder.encode(message_type, record) == encode(message_type, record)
    assert encoder.encode(MessageType.TRANSACTION_SET, BY_REFERENCE) == encode(
        MessageType.TRANSACTION_SET, BY_REFERENCE
    )


@settings(max_examples=300, deadline=None)
@given(
    key=text, st01=text, st02=text, st03=st.none() | text, gs08=text, isa06=text,
    repetition=st.none() | text, count=ints, offset=longs,
    body=st.binary(max_size=300) | st.fixed_dictionaries({
        "staging_uri": text, "byte_offset": longs, "length": longs, "sha256": text}),
    problems=st.lists(problem, max_size=3),
)  # fmt: skip
def test_arbitrary_sets_encode_as_the_codec_does(  # noqa: PLR0917 - one argument per field
    key: str, st01: str, st02: str, st03: str | None, gs08: str, isa06: str,
    repetition: str | None, count: int, offset: int, body: Any, problems: list[Any],
) -> None:  # fmt: skip
    record: dict[str, Any] = copy.deepcopy(dict(TRANSACTION_SET))
    record.update(idempotency_key=key, st01=st01, st02=st02, st03=st03, gs08=gs08,
                  segment_count=count, byte_offset=offset, body=body,
                  problems=problems)  # fmt: skip
    record["envelope"]["isa06"] = isa06
    record["delimiters"]["repetition"] = repetition
    fast = SetEncoder().encode(record)
    assert fast == encode(MessageType.TRANSACTION_SET, record)
    assert decode(*fast, expected=MessageType.TRANSACTION_SET) == record


def test_a_changed_group_is_not_served_from_the_cache() -> None:
    encoder = SetEncoder()
    first: dict[str, Any] = copy.deepcopy(dict(TRANSACTION_SET))
    second = copy.deepcopy(first)
    second["group_key"] = "OTHER|RECEIVER|000000002|9"
    second["envelope"]["gs06"] = "9"
    third = {**first, "partner": "someone-else"}  # same envelope object, another file
    for record in (first, second, first, third):
        assert encoder.encode(record) == encode(MessageType.TRANSACTION_SET, record)
