"""The health endpoint: routes, strict request handling, readiness JSON, stale liveness."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from prometheus_client import CollectorRegistry, Counter

from edimesh.telemetry.health import HealthServer, HealthSettings, Heartbeat, Readiness
from edimesh.telemetry.health import server as server_module


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Served:
    def __init__(self, server: HealthServer, clock: FakeClock, registry: CollectorRegistry):
        self.server = server
        self.clock = clock
        self.registry = registry

    async def raw(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.server.port)
        writer.write(data)
        await writer.drain()
        reply = await reader.read()
        writer.close()
        await writer.wait_closed()
        head, _, body = reply.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("ascii").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        return int(status_line.split(" ")[1]), headers, body

    async def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        return await self.raw(f"{method} {path} HTTP/1.1\r\nHost: probe\r\n\r\n".encode())


def local(**overrides: object) -> HealthSettings:
    return HealthSettings.model_validate({"port": 0, "host": "127.0.0.1", **overrides})


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    clock = FakeClock()
    registry = CollectorRegistry()
    readiness = Readiness("kafka_reachable", "partitions_assigned")
    heartbeat = Heartbeat(interval_s=60.0, stale_after_s=120.0, clock=clock)
    async with HealthServer(local(), readiness, heartbeat=heartbeat, registry=registry) as srv:
        yield Served(srv, clock, registry)


async def test_readyz_names_unmet_conditions_until_all_hold(served: Served) -> None:
    status, headers, body = await served.get("/readyz")
    assert status == 503
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {
        "status": "not_ready",
        "unmet": ["kafka_reachable", "partitions_assigned"],
    }
    served.server.readiness.set("kafka_reachable")
    served.server.readiness.set("partitions_assigned")
    status, _, body = await served.get("/readyz?verbose=1")
    assert (status, json.loads(body)) == (200, {"status": "ready", "unmet": []})
    served.server.readiness.clear("kafka_reachable")
    status, _, body = await served.get("/readyz")
    assert (status, json.loads(body)["unmet"]) == (503, ["kafka_reachable"])


async def test_readiness_predicates_are_evaluated_per_probe(served: Served) -> None:
    readiness = served.server.readiness
    readiness.set("kafka_reachable")
    readiness.set("partitions_assigned")
    halted = [False]
    readiness.require("partners_active", lambda: not halted[0])
    assert (await served.get("/readyz"))[0] == 200
    halted[0] = True
    status, _, body = await served.get("/readyz")
    assert (status, json.loads(body)["unmet"]) == (503, ["partners_active"])


def test_a_failing_predicate_counts_as_unmet() -> None:
    readiness = Readiness()

    def broken() -> bool:
        raise RuntimeError("boom")

    readiness.require("broken_check", broken)
    assert readiness.unmet() == ["broken_check"]
    assert not readiness.ready


@pytest.mark.parametrize("name", ["", "Kafka", "member/123", "x" * 49, "a-b"])
def test_condition_names_are_code_names(name: str) -> None:
    with pytest.raises(ValueError, match="code name"):
        Readiness(name)


async def test_livez_turns_503_when_the_heartbeat_is_stale(served: Served) -> None:
    status, _, body = await served.get("/livez")
    assert (status, json.loads(body)) == (200, {"status": "alive"})
    served.clock.now += 121.0
    status, _, body = await served.get("/livez")
    assert (status, json.loads(body)) == (503, {"status": "stale"})
    served.server.heartbeat.beat()
    assert (await served.get("/livez"))[0] == 200


async def test_heartbeat_task_keeps_a_real_loop_alive() -> None:
    heartbeat = Heartbeat(interval_s=0.01, stale_after_s=0.5)
    async with HealthServer(local(), Readiness(), heartbeat=heartbeat):
        await asyncio.sleep(0.6)
        assert heartbeat.alive


def test_heartbeat_interval_must_be_shorter_than_staleness() -> None:
    with pytest.raises(ValueError, match="shorter"):
        Heartbeat(interval_s=5.0, stale_after_s=5.0)


async def test_metrics_serves_prometheus_text(served: Served) -> None:
    Counter("edimesh_probe_test", "a test counter", registry=served.registry).inc(3)
    status, headers, body = await served.get("/metrics")
    assert status == 200
    assert headers["content-type"].startswith("text/plain; version=")
    assert b"edimesh_probe_test_total 3.0" in body


async def test_head_sends_headers_without_body(served: Served) -> None:
    status, headers, body = await served.get("/livez", method="HEAD")
    assert status == 200
    assert int(headers["content-length"]) > 0
    assert body == b""


async def test_unknown_path_is_404(served: Served) -> None:
    status, headers, body = await served.get("/admin")
    assert status == 404
    assert headers["connection"] == "close"
    assert json.loads(body) == {"error": "Not Found"}


async def test_other_methods_are_405_with_allow(served: Served) -> None:
    status, headers, _ = await served.get("/readyz", method="DELETE")
    assert (status, headers["allow"]) == (405, "GET, HEAD")


@pytest.mark.parametrize(
    ("request_bytes", "expected"),
    [
        (b"GET /livez\r\n\r\n", 400),  # no version
        (b"GET  /livez HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # extra space
        (b"GET livez HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # not origin-form
        (b"GET /livez HTTP/1.1\r\n\r\n", 400),  # HTTP/1.1 without Host
        (b"GET /livez HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        (b"GET /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody", 400),
        (b"GET /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        (b"GET /livez HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
        (b"GET /livez HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
        (b"GET /liv\xc3\xa9z HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /livez HTTP/1.1\r\nHost x\r\n\r\n", 400),
    ],
)
async def test_malformed_requests_are_refused(
    served: Served, request_bytes: bytes, expected: int
) -> None:
    status, _, _ = await served.raw(request_bytes)
    assert status == expected


async def test_http_1_0_without_host_is_served(served: Served) -> None:
    status, _, _ = await served.raw(b"GET /livez HTTP/1.0\r\n\r\n")
    assert status == 200


async def test_oversized_request_head_is_431(served: Served) -> None:
    padding = b"X-Pad: " + b"a" * (server_module.MAX_HEAD_BYTES + 100) + b"\r\n"
    status, _, _ = await served.raw(b"GET /livez HTTP/1.1\r\nHost: x\r\n" + padding + b"\r\n")
    assert status == 431


async def test_a_silent_client_gets_408(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "READ_TIMEOUT_S", 0.1)
    status, _, _ = await served.raw(b"GET /livez HTTP/1.1\r\n")
    assert status == 408


async def test_a_client_that_hangs_up_early_does_not_break_the_server(served: Served) -> None:
    _, writer = await asyncio.open_connection("127.0.0.1", served.server.port)
    writer.write(b"GET /li")
    writer.close()
    await writer.wait_closed()
    assert (await served.get("/livez"))[0] == 200


async def test_exit_closes_the_port() -> None:
    async with HealthServer(local(), Readiness()) as srv:
        port = srv.port
        assert port
    assert srv.port is None
    with pytest.raises(OSError, match="onnect"):
        await asyncio.open_connection("127.0.0.1", port)


# ---------------------------------------------------------------- settings


def test_settings_default_to_port_8080_on_every_interface(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("EDIMESH_HEALTH_PORT", raising=False)
    monkeypatch.delenv("EDIMESH_HEALTH_HOST", raising=False)
    settings = HealthSettings()
    assert (settings.port, settings.host, settings.enabled) == (8080, "0.0.0.0", True)


@pytest.mark.parametrize(("value", "port"), [("off", None), ("OFF", None), ("0", 0),
                                             ("9100", 9100), ("", 8080)])  # fmt: skip
def test_port_setting(monkeypatch: pytest.MonkeyPatch, value: str, port: int | None) -> None:
    monkeypatch.setenv("EDIMESH_HEALTH_PORT", value)
    assert HealthSettings().port == port


@pytest.mark.parametrize("value", ["-1", "65536", "http"])
def test_bad_port_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("EDIMESH_HEALTH_PORT", value)
    with pytest.raises(ValueError, match="port"):
        HealthSettings()


def test_heartbeat_must_beat_within_staleness(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIMESH_HEALTH_STALE_AFTER_S", "0.5")
    with pytest.raises(ValueError, match="shorter"):
        HealthSettings()


async def test_disabled_server_serves_nothing() -> None:
    async with HealthServer(HealthSettings.model_validate({"port": "off"}), Readiness()) as srv:
        assert srv.port is None
