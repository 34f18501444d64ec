"""Edge validation of parameters and bodies; response validation off, log and enforce."""

from __future__ import annotations

import logging

import pytest

from tests.gateway.conftest import bearer, config, gateway, one, token


def test_query_parameter_out_of_range_is_400_with_pointer() -> None:
    app, echoes = gateway()
    response = one(app, "GET", "/items?limit=50")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["pointer"] == "/query/limit"
    assert "50" in errors[0]["message"]
    assert not echoes["alpha"].seen


def test_array_parameter_items_are_checked() -> None:
    app, _ = gateway()
    ok, bad = (
        one(app, "GET", "/items?tags=ab,cd"),
        one(gateway()[0], "GET", "/items?tags=ab,toolong"),
    )
    assert ok.status_code == 200
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["pointer"] == "/query/tags/1"


def test_path_parameter_pattern_is_checked() -> None:
    app, _ = gateway()
    response = one(app, "GET", "/items/xx_1", headers=bearer(token()))
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/path/itemId"


def test_body_that_breaks_the_schema_is_400_with_pointers_when_422_is_undocumented() -> None:
    """POST /items documents no 422: the gateway never answers a status the contract omits."""
    app, echoes = gateway()
    response = one(app, "POST", "/items", json={"name": "", "qty": "two"}, headers=bearer(token()))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/name", "/qty"}
    assert not echoes["alpha"].seen


def test_malformed_json_missing_body_and_wrong_media_type() -> None:
    auth = {**bearer(token()), "content-type": "application/json"}
    malformed = one(gateway()[0], "POST", "/items", content=b"{nope", headers=auth)
    missing = one(gateway()[0], "POST", "/items", headers=bearer(token()))
    text = {**bearer(token()), "content-type": "text/plain"}
    wrong = one(gateway()[0], "POST", "/items", content=b"hi", headers=text)
    assert (malformed.status_code, missing.status_code, wrong.status_code) == (400, 400, 415)


def test_valid_body_is_forwarded_unchanged() -> None:
    app, echoes = gateway()
    response = one(app, "POST", "/items", json={"name": "cup", "qty": 2}, headers=bearer(token()))
    assert response.status_code == 200
    assert echoes["alpha"].seen[0]["body"] == '{"name":"cup","qty":2}'


def test_request_validation_can_be_turned_off() -> None:
    app, echoes = gateway(config(validate_requests=False))
    response = one(app, "GET", "/items?limit=50")
    assert response.status_code == 200
    assert echoes["alpha"].seen[0]["query"] == "limit=50"


def test_body_over_the_limit_is_413() -> None:
    app, _ = gateway(config(max_body_bytes=10))
    response = one(
        app, "POST", "/items", json={"name": "x" * 20, "qty": 1}, headers=bearer(token())
    )
    assert response.status_code == 413


@pytest.mark.parametrize(("mode", "status"), [("off", 200), ("log", 200), ("enforce", 502)])
def test_response_validation_modes(
    mode: str, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    app, _ = gateway(config(validate_responses=mode))
    with caplog.at_level(logging.WARNING, logger="accord.gateway"):
        response = one(app, "GET", "/broken")
    assert response.status_code == status
    logged = [r for r in caplog.records if "breaks the contract" in r.getMessage()]
    assert bool(logged) == (mode != "off")
    if mode == "enforce":
        assert response.json()["errors"][0]["message"]


def test_conforming_response_passes_enforce() -> None:
    app, _ = gateway(config(validate_responses="enforce"))
    assert one(app, "GET", "/items").status_code == 200
