"""Pact mode: the matcher against the Pact specification's own cases, and serving pacts."""

from __future__ import annotations

import dataclasses
import json
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
#: JSON request cases of every spec version (XML bodies are not supported by pact mode yet)
CASES = sorted(p for p in SPEC.glob("version-*/testcases/request/*/*.json") if "xml" not in p.name)


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
