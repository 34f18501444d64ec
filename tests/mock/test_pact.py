"""Pact mode: the matcher against the Pact specification's own cases, and serving pacts."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from accord.core import HttpRequest, PactFile
from accord.mock import MockApp
from accord.mock._pact_match import match_request
from tests.mock.helpers import mock_client

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
SPEC = CORPUS / "pact-specification"
#: the request cases of every spec version, JSON and XML bodies alike
CASES = sorted(SPEC.glob("version-*/testcases/request/*/*.json"))


def _request(raw: dict[str, Any], version: str) -> HttpRequest:
    pact = PactFile.from_dict(
        {
            "consumer": {"name": "c"},
            "provider": {"name": "p"},
            "interactions": [{"description": "x", "request": raw, "response": {"status": 200}}],
            "metadata": {"pactSpecification": {"version": version}},
        }
    )
    found = pact.interactions[0].request
    assert found is not None
    # the core reads a missing or empty path as "/"; these cases are about that very difference
    return dataclasses.replace(found, path=raw.get("path", ""))


def test_the_specification_cases_are_there() -> None:
    assert len(CASES) > 200, f"the Pact specification cases are missing under {SPEC}"
    assert any("xml" in p.name for p in CASES), "the XML body cases are missing"


@pytest.mark.parametrize("case", CASES, ids=lambda p: str(p.relative_to(SPEC)))
def test_request_matching_follows_the_specification(case: Path) -> None:
    data = json.loads(case.read_text("utf-8"))
    version = case.relative_to(SPEC).parts[0].removeprefix("version-") + ".0.0"
    want, got = _request(data["expected"], version), _request(data["actual"], version)
    found = match_request(want, got.method, got.path, got.query, got.headers, got.body)
    assert (not found) == data["match"], f"{data.get('comment')}: {[str(m) for m in found]}"


@pytest.fixture
def users() -> httpx.Client:
    pact = PactFile.from_path(
        CORPUS / "pacts" / "pact-python" / "userserviceclient-userservice.json"
    )
    return mock_client(MockApp([], pacts=[pact]))


def test_pacts_are_served_by_provider_state(users: httpx.Client) -> None:
    found = users.get(
        "/users/UserA",
        headers={"X-Accord-Provider-State": "UserA exists and is not an administrator"},
    )
    assert found.status_code == 200 and found.json()["name"] == "UserA"
    assert found.headers["content-type"] == "application/json"
    gone = users.get("/users/UserA", headers={"X-Pact-Provider-State": "UserA does not exist"})
    assert (gone.status_code, gone.content) == (404, b"")
    assert users.get("/users/UserA").status_code == 200  # no state: the first that matches


def test_an_unmatched_request_names_the_closest_interaction(users: httpx.Client) -> None:
    response = users.post("/users/UserB")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    doc = response.json()
    assert "a request for UserA" in doc["detail"]
    assert {e["pointer"] for e in doc["errors"]} == {"method", "path"}


def test_an_unknown_provider_state_is_a_400(users: httpx.Client) -> None:
    response = users.get("/users/UserA", headers={"X-Accord-Provider-State": "nobody"})
    assert response.status_code == 400
    assert "UserA does not exist" in response.json()["detail"]


@pytest.fixture
def orders() -> httpx.Client:
    """A pact with one XML interaction: a numeric id, any number of items named in lower case."""
    pact = PactFile.from_dict(
        {
            "consumer": {"name": "shop"},
            "provider": {"name": "orders"},
            "interactions": [
                {
                    "description": "an XML order",
                    "request": {
                        "method": "POST",
                        "path": "/orders",
                        "headers": {"Content-Type": "application/xml"},
                        "body": '<order id="1"><item>tea</item></order>',
                        "matchingRules": {
                            "body": {
                                "$.order['@id']": {
                                    "matchers": [{"match": "regex", "regex": r"\d+"}]
                                },
                                "$.order.item": {"matchers": [{"match": "type"}]},
                                "$.order.item.#text": {
                                    "matchers": [{"match": "regex", "regex": "[a-z]+"}]
                                },
                            }
                        },
                    },
                    "response": {"status": 201, "body": {"accepted": True}},
                }
            ],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
    )
    return mock_client(MockApp([], pacts=[pact]))


def _post_order(client: httpx.Client, body: str) -> httpx.Response:
    return client.post("/orders", content=body, headers={"Content-Type": "application/xml"})


def test_an_xml_request_matches_by_the_pact_rules(orders: httpx.Client) -> None:
    body = (
        '<?xml version="1.0"?>\n<order id="42">\n  <item>cake</item>\n  <item>jam</item>\n</order>'
    )
    response = _post_order(orders, body)
    assert (response.status_code, response.json()) == (201, {"accepted": True})


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('<order id="x42"><item>cake</item></order>', "$.order['@id']: 'x42' does not match"),
        ('<order id="42" rush="yes"><item>jam</item></order>', "unexpected attribute rush='yes'"),
        ('<order id="42"><item>jam</item><item>Jam</item></order>', "item[1].#text: 'Jam'"),
        ('<order id="42"/>', "expected child element <item>, it is missing"),
        ('<order id="42"><item>cake</item>', "not well-formed XML"),
        ('<!DOCTYPE order [<!ENTITY e "x">]><order id="1">&e;</order>', "DTD"),
    ],
)
def test_an_xml_request_that_differs_names_why(
    orders: httpx.Client, body: str, reason: str
) -> None:
    response = _post_order(orders, body)
    assert response.status_code == 404
    doc = response.json()
    assert "an XML order" in doc["detail"]
    assert {e["pointer"] for e in doc["errors"]} == {"body"}
    assert any(reason in e["message"] for e in doc["errors"]), doc["errors"]


def _regex_pact(pattern: str) -> httpx.Client:
    rule = {"matchers": [{"match": "regex", "regex": pattern}]}
    pact = PactFile.from_dict(
        {
            "consumer": {"name": "shop"},
            "provider": {"name": "orders"},
            "interactions": [
                {
                    "description": "orders by code",
                    "request": {
                        "method": "GET",
                        "path": "/orders",
                        "query": {"code": ["aaa"]},
                        "matchingRules": {"query": {"code": rule}},
                    },
                    "response": {"status": 200, "body": {"ok": True}},
                }
            ],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
    )
    return mock_client(MockApp([], pacts=[pact]))


def test_a_catastrophic_pact_regex_cannot_hold_the_mock() -> None:
    """``^(a+)+$`` on 40 a's and a '!' backtracks for hours in Python's ``re``; the pact's
    patterns run on a Rust engine, so the request is answered at once."""
    mock = _regex_pact("^(a+)+$")
    started = time.perf_counter()
    refused = mock.get("/orders", params={"code": "a" * 40 + "!"})
    assert time.perf_counter() - started < 2
    assert refused.status_code == 404  # no interaction matches: the mismatch is named
    assert "does not match" in refused.json()["errors"][0]["message"]
    assert mock.get("/orders", params={"code": "a" * 40}).status_code == 200


def test_a_pact_regex_no_engine_reads_is_a_mismatch_not_a_crash() -> None:
    answer = _regex_pact("(").get("/orders", params={"code": "aaa"})
    assert answer.status_code == 404, answer.text  # was a 500: re.error
    assert "cannot be read" in answer.json()["errors"][0]["message"]
