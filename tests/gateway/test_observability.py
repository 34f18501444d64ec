"""Request ids, W3C traceparent, the JSON access log, /healthz and /readyz."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from accord.gateway import GatewayApp, GatewayConfig, child_traceparent
from accord.workspace import load_workspace
from tests.gateway.conftest import (
    Echo,
    Server,
    bearer,
    config,
    contracts,
    free_port,
    gateway,
    one,
    token,
)

TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_request_id_is_kept_and_returned_and_upstream_cannot_override_it() -> None:
    app, echoes = gateway()
    response = one(app, "GET", "/items", headers={"X-Request-Id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert echoes["alpha"].seen[0]["headers"]["x-request-id"] == "abc-123"


def test_request_id_is_generated_when_absent_or_unsafe() -> None:
    app, echoes = gateway()
    response = one(app, "GET", "/items", headers={"X-Request-Id": "bad id\twith spaces"})
    generated = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert echoes["alpha"].seen[0]["headers"]["x-request-id"] == generated


def test_traceparent_keeps_the_trace_id_with_a_new_span_id() -> None:
    app, echoes = gateway()
    one(app, "GET", "/items", headers={"traceparent": TRACE})
    sent = echoes["alpha"].seen[0]["headers"]["traceparent"]
    version, trace_id, span_id, flags = sent.split("-")
    assert (version, trace_id, flags) == ("00", TRACE.split("-")[1], "01")
    assert span_id != TRACE.split("-")[2] and re.fullmatch(r"[0-9a-f]{16}", span_id)


@pytest.mark.parametrize("incoming", ["", "garbage", "00-" + "0" * 32 + "-00f067aa0ba902b7-01"])
def test_traceparent_is_generated_when_absent_or_invalid(incoming: str) -> None:
    made = child_traceparent(incoming)
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", made)
    assert made.split("-")[1] != "0" * 32


def test_one_json_access_line_per_request(caplog: pytest.LogCaptureFixture) -> None:
    app, _ = gateway()
    with caplog.at_level(logging.INFO, logger="accord.gateway.access"):
        one(app, "GET", "/items/it_1", headers={**bearer(token(sub="carol")), "X-Request-Id": "r1"})
    lines = [r for r in caplog.records if r.name == "accord.gateway.access"]
    assert len(lines) == 1
    entry = json.loads(lines[0].getMessage())
    assert entry["request_id"] == "r1"
    assert entry["operationId"] == "getItem"
    assert entry["status"] == 200
    assert entry["upstream"] == "alpha"
    assert entry["subject"] == "carol"
    assert isinstance(entry["latency_ms"], float) and entry["time"].endswith("Z")


def test_rejections_are_logged_too(caplog: pytest.LogCaptureFixture) -> None:
    app, _ = gateway()
    with caplog.at_level(logging.INFO, logger="accord.gateway.access"):
        one(app, "GET", "/nowhere")
    entry = json.loads(caplog.records[-1].getMessage())
    assert (entry["status"], entry["operationId"], entry["upstream"]) == (404, None, None)


def test_readyz_is_200_only_when_every_upstream_answers() -> None:
    with Server(Echo("alpha")) as alpha, Server(Echo("beta")) as beta:
        up = GatewayApp(contracts(), config(upstreams={"alpha": alpha.url, "beta": beta.url}))
        ready = one(up, "GET", "/readyz")
        dead = f"http://127.0.0.1:{free_port()}"
        down = GatewayApp(contracts(), config(upstreams={"alpha": alpha.url, "beta": dead}))
        not_ready = one(down, "GET", "/readyz")
        healthz = one(GatewayApp(contracts(), config(upstreams={"alpha": dead, "beta": dead})),
                      "GET", "/healthz")  # fmt: skip
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert not_ready.status_code == 503
    assert not_ready.json() == {"status": "not ready", "alpha": "up", "beta": "down"}
    assert healthz.status_code == 200


async def _only_live(scope: Any, receive: Any, send: Any) -> None:
    """An upstream whose health path is ``/live``: every other path answers 503."""
    if scope["type"] != "http":
        return
    status = 200 if scope["path"] == "/live" else 503
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def test_readyz_asks_each_upstream_its_own_health_path() -> None:
    with Server(Echo("alpha")) as alpha, Server(_only_live) as beta:
        urls = {"alpha": alpha.url, "beta": beta.url}
        declared = one(GatewayApp(contracts(), config(upstreams=urls, health={"beta": "/live"})),
                       "GET", "/readyz")  # fmt: skip
        default = one(GatewayApp(contracts(), config(upstreams=urls)), "GET", "/readyz")
    assert declared.status_code == 200, declared.json()
    assert default.json() == {"status": "not ready", "alpha": "up", "beta": "down"}


def test_the_workspace_gives_the_gateway_each_service_health_path() -> None:
    shop = load_workspace()
    cfg = GatewayConfig.from_workspace(shop, environ={"ACCORD_JWT_SECRET": "x" * 32})
    assert cfg.health == {name: spec.health for name, spec in shop.services.items()}
    assert cfg.health["reviews"] == "/healthz" and set(cfg.health) == set(shop.services)
