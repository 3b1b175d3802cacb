"""A group whose results never all arrive is answered by a timed-out 999, once: late results
for it change nothing. A backlog is not a timeout: while the acknowledger catches up, time is
the timestamps of the records it has joined."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from edimesh.mesh.schemas import MessageType
from tests.integration.acknowledger.harness import AckBench, parse_999
from tests.integration.acknowledger.records import group_key, manifest, result, send

M, R = MessageType.GROUP_MANIFEST, MessageType.SET_RESULT


async def test_an_incomplete_group_gets_a_timed_out_999_once(
    abench: AckBench, kafka_admin: Any
) -> None:
    waiting, orphan, whole = group_key(1), group_key(2), group_key(3)
    await send(abench, manifest(waiting, emitted=3), M)
    await send(abench, result(waiting, "0001"), R)
    await send(abench, result(orphan, "0001", ik501="R"), R)  # its manifest never comes
    await send(abench, manifest(whole, emitted=1), M)
    await send(abench, result(whole, "0001"), R)
    async with abench.running(ack_timeout_s=1.0):
        acks = dict(await abench.wait_acks(3))
        await send(abench, result(waiting, "0002"), R)  # too late: the group was answered
        await send(abench, result(waiting, "0003"), R)
        await abench.wait_consumed(kafka_admin)
    final = await abench.acks()
    assert sorted(k or b"" for k, _ in final) == sorted(
        k.encode() for k in (waiting, orphan, whole))  # fmt: skip

    timed_out = parse_999(acks[waiting.encode()]["x12"])
    assert timed_out.clean
    ak9 = timed_out.one("AK9")
    assert (ak9.element(1), ak9.element(3), ak9.element(4)) == ("P", "3", "1")
    assert [s.element(2) for s in timed_out.all("AK2")] == ["0001"]

    no_manifest = parse_999(acks[orphan.encode()]["x12"])
    assert no_manifest.clean
    assert no_manifest.one("AK9").element(1) == "R"
    assert no_manifest.one("AK1").element(2) == "2"

    complete = parse_999(acks[whole.encode()]["x12"])
    assert complete.one("AK9").element(1) == "A"


async def test_a_group_whose_sets_wait_in_a_backlog_does_not_time_out(
    abench: AckBench, kafka_admin: Any
) -> None:
    timeout_s = 2.0
    target = group_key(1)
    t0 = int(time.time() * 1000)
    await send(abench, manifest(target, emitted=2), M, t0)
    await send(abench, result(target, "0001"), R, t0)
    async with abench.running(ack_timeout_s=3600):  # the group is pending in the changelog
        await abench.wait_consumed(kafka_admin)
    assert await abench.acks() == []
    # The acknowledger is "down" past the timeout while the group's last set and other
    # groups' records pile up, all sent within the timeout of the group's first record.
    for n in range(2, 22):
        await send(abench, manifest(group_key(n), emitted=1), M, t0 + 100)
        await send(abench, result(group_key(n), "0001"), R, t0 + 100)
    await send(abench, result(target, "0002"), R, t0 + 500)
    await asyncio.sleep(max(0.0, t0 / 1000 + timeout_s + 0.5 - time.time()))
    async with abench.running(ack_timeout_s=timeout_s, batch_max_records=2):
        acks = dict(await abench.wait_acks(21))
    assert acks[target.encode()]["status"] == "A"
    assert "IK5*A" in acks[target.encode()]["x12"]
