"""The splitter's murmur2 partitioning agrees with aiokafka's default partitioner."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner, murmur2
from hypothesis import given
from hypothesis import strategies as st

from edimesh.mesh import partitioner


@given(st.binary(max_size=200))
def test_murmur2_matches_aiokafka(key: bytes) -> None:
    assert partitioner.murmur2(key) == murmur2(key) & 0xFFFFFFFF


@given(st.binary(min_size=1, max_size=80), st.integers(min_value=1, max_value=64))
def test_partitions_match_the_default_partitioner(key: bytes, count: int) -> None:
    everything = list(range(count))
    expected = DefaultPartitioner()(key, everything, everything)
    assert partitioner.partition_for(key, count) == expected


def test_known_values_from_the_java_client() -> None:
    # org.apache.kafka.common.utils.UtilsTest#testMurmur2
    cases = {
        b"21": -973932308,
        b"foobar": -790332482,
        b"a-little-bit-long-string": -985981536,
        b"a-little-bit-longer-string": -1486304829,
        b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
        b"abc": 479470107,
    }
    for key, java in cases.items():
        assert partitioner.murmur2(key) == java & 0xFFFFFFFF
