"""Matcher classes on requests (the consumer may send any value of the class: the provider
must take them all), date/time formats, and ``eachKey``/``eachValue``/``values`` on objects.

The expected verdicts are written out by hand from the schemas below, not from the code."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from accord.core import Contract, PactFile
from accord.crosscheck import crosscheck

BODY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "status": {"enum": ["NEW", "PAID"]},
        "qty": {"type": "integer", "minimum": 1, "maximum": 10},
        "price": {"type": "integer"},
        "when": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "tags": {"type": "array", "maxItems": 3, "items": {"type": "string"}},
        "labels": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z]+$"},
            "additionalProperties": {"type": "string"},
        },
        "flags": {
            "type": "object",
            "properties": {"a": {"type": "boolean"}},
            "additionalProperties": False,
        },
    },
}
ANSWER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "created": {"type": "string", "format": "date-time"},
        "meta": {"type": "object", "additionalProperties": {"type": "integer"}},
        "mixed": {
            "type": "object",
            "properties": {"n": {"type": "integer"}, "s": {"type": "string"}},
        },
    },
}
SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "orders", "version": "1"},
    "paths": {
        "/orders": {
            "post": {
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                    {"name": "sort", "in": "query", "schema": {"enum": ["asc", "desc"]}},
                ],
                "requestBody": {"content": {"application/json": {"schema": BODY}}},
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": ANSWER}},
                    }
                },
            }
        }
    },
}
EXAMPLE: dict[str, Any] = {
    "status": "NEW",
    "qty": 2,
    "price": 2,
    "when": "2026-01-01T10:00:00Z",
    "day": "2026-01-01",
    "tags": ["a"],
    "labels": {"gift": "yes"},
    "flags": {"a": True},
}
ANSWERED: dict[str, Any] = {"created": "2026-01-01T10:00:00Z", "meta": {"n": 1}, "mixed": {"n": 1}}


def _findings(
    body: dict[str, Any] | None = None,
    query: dict[str, Any] | None = None,
    answer: dict[str, Any] | None = None,
    example: dict[str, Any] | None = None,
    spec: dict[str, Any] | None = None,
    answered: dict[str, Any] | None = None,
) -> list[tuple[str, str]]:
    request: dict[str, Any] = {
        "method": "POST",
        "path": "/orders",
        "query": {"limit": ["10"], "sort": ["asc"]},
        "headers": {"Content-Type": "application/json"},
        "body": example or EXAMPLE,
        "matchingRules": {"body": body or {}, "query": query or {}},
    }
    response: dict[str, Any] = {
        "status": 200,
        "headers": {"Content-Type": "application/json"},
        "body": answered or ANSWERED,
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
    found = crosscheck(Contract.from_dict(spec or SPEC), pact)
    return [(m.code, m.pact_path.removeprefix("[root].interactions[0].")) for m in found]


def _rule(**matcher: Any) -> dict[str, Any]:
    return {"matchers": [matcher]}


WIDER, BAD = "request.body.wider", "request.body.incompatible"


@pytest.mark.parametrize(
    ("path", "matcher", "expected"),
    [
        # the class is inside what the schema takes: nothing to say
        ("$.status", {"match": "regex", "regex": "^(NEW|PAID)$"}, []),
        ("$.qty", {"match": "regex", "regex": "^[1-9]$"}, []),
        ("$.when", {"match": "timestamp", "timestamp": "yyyy-MM-dd'T'HH:mm:ssXXX"}, []),
        ("$.day", {"match": "date", "date": "yyyy-MM-dd"}, []),
        ("$.flags.a", {"match": "boolean"}, []),
        ("$.labels", {"match": "eachKey", "rules": [{"match": "regex", "regex": "^[a-z]+$"}]}, []),
        # some of the class is refused: the provider may reject what the consumer sends
        ("$.status", {"match": "regex", "regex": "^[A-Z]+$"}, [(WIDER, "status")]),
        ("$.status", {"match": "type"}, [(WIDER, "status")]),
        ("$.qty", {"match": "type"}, [(WIDER, "qty")]),  # 0 is below the minimum
        ("$.qty", {"match": "integer"}, [(WIDER, "qty")]),
        ("$.when", {"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ssX"}, [(WIDER, "when")]),
        ("$.tags", {"match": "type", "min": 1}, [(WIDER, "tags")]),  # more than maxItems
        (
            "$.labels",
            {"match": "eachKey", "rules": [{"match": "regex", "regex": "^[0-9a-z]+$"}]},
            [(WIDER, "labels")],
        ),
        ("$.flags", {"match": "values"}, [(WIDER, "flags")]),  # any key: the object is closed
        # none of the class is taken: every request is refused
        ("$.price", {"match": "decimal"}, [(BAD, "price")]),
        ("$.day", {"match": "date", "format": "dd/MM/yyyy"}, [(BAD, "day")]),
        ("$.when", {"match": "time", "time": "HH:mm:ss"}, [(BAD, "when")]),
        ("$.tags", {"match": "type", "min": 5}, [(BAD, "tags")]),
        ("$.flags.a", {"match": "type"}, []),
        ("$.flags.a", {"match": "integer"}, [(BAD, "flags.a")]),
    ],
)
def test_a_request_body_matcher_class_is_held_to_the_schema(
    path: str, matcher: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert [
        (code, at.removeprefix("request.body.")) for code, at in _findings({path: _rule(**matcher)})
    ] == expected


def test_an_example_already_refused_is_reported_once() -> None:
    """The example itself breaks the schema: its literal finding stands for the class."""
    found = _findings({"$.qty": _rule(match="type")} | {"$.status": _rule(match="type")})
    assert found == [(WIDER, "request.body.qty"), (WIDER, "request.body.status")]
    rules = {"$.status": _rule(match="regex", regex="^[A-Z]+$")}
    assert _findings(rules, example=dict(EXAMPLE, status="OLD")) == [(BAD, "request.body.status")]


@pytest.mark.parametrize(
    ("name", "matcher", "expected"),
    [
        ("limit", {"match": "regex", "regex": "^[1-9][0-9]?$"}, []),
        ("limit", {"match": "regex", "regex": "^\\d+$"}, ["request.query.wider"]),  # 750
        ("limit", {"match": "integer"}, ["request.query.wider"]),
        ("sort", {"match": "regex", "regex": "^(asc|desc)$"}, []),
        ("sort", {"match": "regex", "regex": "^[a-z]+$"}, ["request.query.wider"]),
        ("sort", {"match": "date", "format": "yyyy-MM-dd"}, ["request.query.incompatible"]),
    ],
)
def test_a_query_matcher_class_is_held_to_the_parameter(
    name: str, matcher: dict[str, Any], expected: list[str]
) -> None:
    found = _findings(query={name: _rule(**matcher)})
    assert found == [(code, f"request.query.{name}") for code in expected]


NARROWER = "response.body.narrower"


@pytest.mark.parametrize(
    ("path", "matcher", "expected"),
    [
        # a date format against RFC 3339: only, some, or none of the values the schema allows
        ("$.created", {"match": "regex", "regex": ".+"}, []),
        ("$.created", {"match": "timestamp", "timestamp": "yyyy-MM-dd'T'HH:mm:ssXXX"}, [NARROWER]),
        ("$.created", {"match": "date", "date": "yyyy-MM-dd"}, ["response.body.incompatible"]),
        (
            "$.created",
            {"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ss"},  # no offset
            ["response.body.incompatible"],
        ),
        # eachKey against the keys an object may have; V3 `values` takes any key
        (
            "$.meta",
            {"match": "eachKey", "rules": [{"match": "regex", "regex": "^[a-z]+$"}]},
            [NARROWER],
        ),
        ("$.meta", {"match": "values"}, []),
        ("$.meta", {"match": "eachValue", "rules": [{"match": "integer"}]}, []),
        (
            "$.meta",
            {"match": "eachValue", "rules": [{"match": "decimal"}]},
            ["response.body.incompatible"],
        ),
        # several kinds of member: one refused is a warning, the object may do without it
        ("$.mixed", {"match": "eachValue", "rules": [{"match": "integer"}]}, [NARROWER]),
    ],
)
def test_a_response_matcher_class_on_dates_and_keys(
    path: str, matcher: dict[str, Any], expected: list[str]
) -> None:
    found = _findings(answer={path: _rule(**matcher)})
    assert [code for code, _ in found] == expected


SKU = {"type": "string", "pattern": "^[A-Z]{3}-[0-9]+$"}


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        ("^[A-Z]{3}-[0-9]+$", []),
        ("^[A-Z]+-\\d+$", []),  # wider than the schema: the consumer takes all it is sent
        ("^[A-Z]{3}-[0-9]$", ["response.body.narrower"]),  # one digit: refuses AAA-09
    ],
)
def test_a_response_regex_is_held_to_strings_of_the_schema_pattern(
    regex: str, expected: list[str]
) -> None:
    """A regex is never compared with a regex: strings drawn from the schema's pattern
    are the values it is tried on."""
    spec = copy.deepcopy(SPEC)
    answer = spec["paths"]["/orders"]["post"]["responses"]["200"]["content"]["application/json"]
    answer["schema"]["properties"]["sku"] = SKU
    rules = {"$.sku": _rule(match="regex", regex=regex)}
    found = _findings(answer=rules, spec=spec, answered=dict(ANSWERED, sku="ABC-1"))
    assert [code for code, _ in found] == expected
