"""Trailing slashes are decided at the gateway from the contract; an upstream's absolute
``Location`` never reaches a client; hop headers (``Date``, ``Server``) appear once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from accord.core import Contract
from accord.gateway import GatewayApp, GatewayConfig
from tests.gateway.conftest import (
    Echo,
    Scope,
    Server,
    bearer,
    config,
    contracts,
    gateway,
    one,
    run,
    token,
)


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/items/", "/items"),
        ("/items/?limit=2&tags=a,b", "/items?limit=2&tags=a,b"),
        ("/items/it_1/", "/items/it_1"),
        ("/items/it%5F1/", "/items/it%5F1"),  # the raw path, as sent
    ],
)
def test_an_undocumented_trailing_slash_is_a_relative_308_without_forwarding(
    url: str, location: str
) -> None:
    app, echoes = gateway()
    response = one(app, "GET", url, headers=bearer(token()))
    assert response.status_code == 308
    assert response.headers["location"] == location
    assert response.headers["content-type"] == "application/problem+json"
    assert not echoes["alpha"].seen


def test_a_path_without_any_documented_twin_is_still_404() -> None:
    app, echoes = gateway()
    assert one(app, "GET", "/nowhere/").status_code == 404
    assert one(gateway()[0], "GET", "/ping/x").status_code == 404
    assert not echoes["alpha"].seen and not echoes["beta"].seen


class Redirecting:
    """An upstream that answers with absolute URLs of its own (as a framework would)."""

    def __init__(self, location: str, content_location: str | None = None) -> None:
        self.location = location
        self.content_location = content_location

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = [
            (b"location", self.location.encode()),
            (b"date", b"Mon, 01 Jan 2024 00:00:00 GMT"),
            (b"server", b"upstream/1.0"),
            (b"connection", b"x-upstream-secret"),
            (b"x-upstream-secret", b"internal"),
            (b"content-length", b"0"),
        ]
        if self.content_location:
            headers.append((b"content-location", self.content_location.encode()))
        await send({"type": "http.response.start", "status": 307, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("http://alpha.test/items", "/items"),
        ("HTTP://ALPHA.TEST:80/items?limit=1#top", "/items?limit=1#top"),
        ("http://beta.test/ping", "/ping"),  # another upstream: still never leaked
        ("http://alpha.test", "/"),
        ("https://example.com/items", "https://example.com/items"),  # not ours: untouched
        ("/items", "/items"),
    ],
)
def test_absolute_locations_into_upstreams_become_relative(location: str, expected: str) -> None:
    app, _ = gateway(upstreams={"alpha": Redirecting(location, content_location=location)})
    response = one(app, "GET", "/items")
    assert response.status_code == 307
    assert response.headers["location"] == expected
    assert response.headers["content-location"] == expected
    assert "server" not in response.headers and "date" not in response.headers
    assert "x-upstream-secret" not in response.headers  # named by the upstream's Connection


def test_an_upstream_with_a_base_path_loses_it_in_the_location() -> None:
    cfg = config(upstreams={"alpha": "http://10.9.8.7:8101/api", "beta": "http://beta.test"})
    app, _ = gateway(cfg, upstreams={"alpha": Redirecting("http://10.9.8.7:8101/api/items")})
    assert one(app, "GET", "/items").headers["location"] == "/items"


def test_through_real_servers_one_date_and_no_internal_address() -> None:
    """The issue's case: a real upstream answers 307 with its own absolute URL and Date."""
    with Server(Redirecting("placeholder")) as upstream:
        upstream_app = upstream.server.config.app
        upstream_app.location = f"http://127.0.0.1:{upstream.port}/items"
        cfg = config(upstreams={"alpha": upstream.url, "beta": upstream.url})
        front = Server(GatewayApp(contracts(), cfg))
        front.server.config.lifespan = "on"  # so the gateway closes its connection pools
        with front, httpx.Client(base_url=front.url) as client:
            moved = client.get("/items")
            slash = client.get("/items/")
    assert moved.status_code == 307
    assert moved.headers["location"] == "/items"
    assert len(moved.headers.get_list("date")) == 1
    assert "upstream/1.0" not in moved.headers.get_list("server")
    assert str(upstream.port) not in str(moved.headers.raw)
    assert slash.status_code == 308 and slash.headers["location"] == "/items"


def test_a_template_with_a_trailing_slash_redirects_the_other_way() -> None:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/things/": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    echo = Echo("things")
    cfg = GatewayConfig(upstreams={"things": "http://things.test"})
    contract = Contract.from_dict(spec, name="things.yaml")
    app = GatewayApp({"things": contract}, cfg, transports={"things": httpx.ASGITransport(echo)})
    moved, served = run(app, ("GET", "/things?x=1", {}), ("GET", "/things/", {}))
    assert moved.status_code == 308 and moved.headers["location"] == "/things/?x=1"
    assert served.status_code == 200 and len(echo.seen) == 1
