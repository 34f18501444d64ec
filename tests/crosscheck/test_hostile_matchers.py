"""Matchers no Pact engine can read (an unknown ``match``, a regex that does not compile or
uses what Rust's regex engine lacks, a date format with an open quote, fields of the wrong
JSON type) are reported, not passed over; an example with no value under a ``type``
matcher (an empty array, an empty object) stands for no class at all."""

from __future__ import annotations

import time
from typing import Any

import pytest

from accord.core import Contract, PactFile
from accord.crosscheck import crosscheck
from tests.crosscheck.test_request_matchers import ANSWERED, EXAMPLE, SPEC, _findings

UNREADABLE = [
    ({"match": "nosuch"}, "no matcher type"),
    ({"match": 5}, "no matcher type"),
    ({"match": "regex", "regex": "("}, "does not compile"),
    ({"match": "regex", "regex": "a{2,1}"}, "does not compile"),
    ({"match": "regex", "regex": r"\Qa.b\E"}, "does not compile"),
    ({"match": "regex", "regex": "(?<=N)EW"}, "a lookaround"),
    ({"match": "regex", "regex": r"(N)\1"}, "a back reference"),
    ({"match": "regex", "regex": 42}, "must be a string"),
    ({"match": "regex"}, "must be a string"),
    ({"match": "type", "min": "3"}, "non-negative integer"),
    ({"match": "type", "max": -1}, "non-negative integer"),
    ({"match": "date", "format": "yyyy-MM-dd'T"}, "never closes"),
    ({"match": "timestamp", "timestamp": 5}, "must be a string"),
    ({"match": "include", "value": 5}, "string `value`"),
    ({"match": "eachKey", "rules": "x"}, "an array of matchers"),
    ({"match": "eachKey", "rules": [{"match": "regex", "regex": "("}]}, "does not compile"),
]


@pytest.mark.parametrize(("matcher", "reason"), UNREADABLE)
def test_an_unreadable_request_matcher_is_a_warning_naming_what_is_wrong(
    matcher: dict[str, Any], reason: str
) -> None:
    path = "$.labels" if matcher.get("match") == "eachKey" else "$.status"
    found = _messages(body={path: {"matchers": [matcher]}})
    assert [(code, where) for code, where, _ in found] == [
        ("request.body.wider", "request.body." + path[2:])
    ]
    assert "cannot be read" in found[0][2] and reason in found[0][2]


@pytest.mark.parametrize(("matcher", "reason"), UNREADABLE[:8])
def test_an_unreadable_response_matcher_is_a_warning_too(
    matcher: dict[str, Any], reason: str
) -> None:
    found = _messages(answer={"$.created": {"matchers": [matcher]}})
    assert [(code, where) for code, where, _ in found] == [
        ("response.body.narrower", "response.body.created")
    ]
    assert reason in found[0][2]


def test_readable_hostile_regexes_are_judged_quickly() -> None:
    started = time.perf_counter()
    # catastrophic for a backtracking engine, linear for Rust's: judged, and in time
    assert _findings(body={"$.status": {"matchers": [{"match": "regex", "regex": "^(a+)+$"}]}})
    assert not _findings(body={"$.status": {"matchers": [{"match": "regex", "regex": "^NEW$"}]}})
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    ("path", "matcher"),
    [
        ("$.tags[*]", {"match": "type"}),
        ("$.labels.*", {"match": "type"}),
        ("$.labels", {"match": "eachValue", "rules": [{"match": "type"}]}),
    ],
)
def test_a_type_matcher_where_the_example_has_no_value_stands_for_nothing(
    path: str, matcher: dict[str, Any]
) -> None:
    """An empty array or object under a ``type`` matcher was read as a null sent, an
    error against every schema that does not take null."""
    example = {**EXAMPLE, "tags": [], "labels": {}}
    assert _findings(body={path: {"matchers": [matcher]}}, example=example) == []
    # a value there is still judged: a number where the schema takes strings
    example = {**EXAMPLE, "tags": [1], "labels": {"gift": 1}}
    found = _findings(body={path: {"matchers": [matcher]}}, example=example)
    assert "request.body.incompatible" in [code for code, _ in found]


def _messages(
    body: dict[str, Any] | None = None, answer: dict[str, Any] | None = None
) -> list[tuple[str, str, str]]:
    request = {
        "method": "POST",
        "path": "/orders",
        "query": {"limit": ["10"], "sort": ["asc"]},
        "headers": {"Content-Type": "application/json"},
        "body": EXAMPLE,
        "matchingRules": {"body": body or {}},
    }
    response = {
        "status": 200,
        "headers": {"Content-Type": "application/json"},
        "body": ANSWERED,
        "matchingRules": {"body": answer or {}},
    }
    pact = PactFile.from_dict(
        {
            "consumer": {"name": "web"},
            "provider": {"name": "orders"},
            "interactions": [{"description": "order", "request": request, "response": response}],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
    )
    found = crosscheck(Contract.from_dict(SPEC), pact)
    return [(m.code, m.pact_path.removeprefix("[root].interactions[0]."), m.message) for m in found]
