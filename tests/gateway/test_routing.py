"""Routing from the contracts' path templates, and path tricks that must never reach upstreams."""

from __future__ import annotations

import json

import pytest

from accord.gateway import check_path
from tests.gateway.conftest import bearer, gateway, one, raw_call, run, token


def test_routes_each_path_to_its_service_with_the_raw_path_and_query() -> None:
    app, echoes = gateway()
    items, ping = run(app, ("GET", "/items?limit=3&tags=a,b", {}), ("GET", "/ping", {}))
    assert items.status_code == 200 and ping.status_code == 200
    assert echoes["alpha"].seen[0]["raw_path"] == "/items"
    assert echoes["alpha"].seen[0]["query"] == "limit=3&tags=a,b"
    assert [s["path"] for s in echoes["beta"].seen] == ["/ping"]


def test_unknown_path_is_404_problem() -> None:
    app, echoes = gateway()
    response = one(app, "GET", "/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
    assert not echoes["alpha"].seen and not echoes["beta"].seen


def test_wrong_method_is_405_with_allow() -> None:
    app, _ = gateway()
    response = one(app, "PATCH", "/items/it_1")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, HEAD"
    assert response.json()["title"] == "Method Not Allowed"


@pytest.mark.parametrize(
    "path",
    [
        "/items/../ping",
        "/items/%2e%2e/ping",
        "/items/%2E%2E",
        "/items/.%2e/ping",
        "/items/it_1%2f..%2fping",
        "/items/it_1%2F..%2Fadmin",
        "/items/it_1%5c..%5cping",
        "//items",
        "/items//it_1",
        "/items/%252e%252e/ping",
        "/items/it_1%00",
        "/items/./it_1",
    ],
)
def test_path_tricks_are_refused_before_routing(path: str) -> None:
    app, echoes = gateway()
    status, headers, body = raw_call(app, "GET", path.encode(), bearer(token()))
    assert status == 400, body
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["detail"].startswith("path refused")
    assert not echoes["alpha"].seen and not echoes["beta"].seen


def test_check_path_decodes_only_safe_paths() -> None:
    assert check_path(b"/items/it_%41") == ("/items/it_A", None)
    assert check_path(b"/items/a%2fb")[1] is not None
    assert check_path(b"/items/\xff")[1] is not None


def test_encoded_characters_reach_the_upstream_as_sent() -> None:
    app, echoes = gateway()
    response = one(app, "GET", "/items/it_%61b", headers=bearer(token()))
    assert response.status_code == 200, response.text
    assert echoes["alpha"].seen[0]["raw_path"] == "/items/it_%61b"


def test_healthz_is_always_200() -> None:
    app, _ = gateway()
    response = one(app, "GET", "/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_head_goes_where_get_goes_without_content() -> None:
    app, echoes = gateway()
    response = one(app, "HEAD", "/items/it_1", headers=bearer(token("items:read")))
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0  # the length of the GET's content
    assert echoes["alpha"].seen[0]["method"] == "HEAD"
    # the GET's security applies: no token, no answer
    assert one(gateway()[0], "HEAD", "/items/it_1").status_code == 401


def test_forwarded_headers_describe_this_hop() -> None:
    app, echoes = gateway()
    spoofed = {"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Host": "evil.test",
               "X-Forwarded-Proto": "https"}  # fmt: skip
    assert one(app, "GET", "/items", headers=spoofed).status_code == 200
    seen = echoes["alpha"].seen[0]
    assert seen["headers"]["x-forwarded-for"] == "1.2.3.4, 10.0.0.7"  # extended, not replaced
    assert seen["headers"]["x-forwarded-host"] == "gw.test"
    assert seen["headers"]["x-forwarded-proto"] == "http"
    assert seen["header_names"].count("x-forwarded-host") == 1
