"""Each cross-check code on a tiny inline contract and pact."""

from __future__ import annotations

from typing import Any

import pytest

from accord._errors import PactError
from accord._findings import Severity
from accord.core import Contract, PactFile
from accord.crosscheck import CHECKS, CODES, CrosscheckOptions, Mismatch, crosscheck

USER = {
    "type": "object",
    "properties": {"id": {"type": "integer", "format": "int32"}, "name": {"type": "string"}},
    "required": ["id", "name"],
}
SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "users", "version": "1"},
    "components": {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "token": {"type": "apiKey", "in": "query", "name": "token"},
        },
        "schemas": {"User": USER},
    },
    "paths": {
        "/users/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 10}},
                    {"name": "X-Version", "in": "header", "schema": {"type": "number"}},
                    {
                        "name": "X-Trace",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "headers": {"X-Rate": {"schema": {"type": "integer"}}},
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/User"}}
                        },
                    },
                    "203": {
                        "description": "two shapes, told apart by their content type",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/User"}},
                            "application/vnd.short+json": {"schema": {"type": "integer"}},
                        },
                    },
                    "204": {"description": "nothing"},
                    "default": {"description": "problem"},
                },
            },
            "put": {
                "security": [{"key": []}, {"token": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/User"}}
                    },
                },
                "responses": {"204": {"description": "saved"}},
            },
            "delete": {"responses": {"204": {"description": "gone"}}},
        }
    },
}
TRACE = {"X-Trace": "t1"}


def _pact(request: dict[str, Any], response: dict[str, Any]) -> PactFile:
    return PactFile.from_dict(
        {
            "consumer": {"name": "web"},
            "provider": {"name": "users"},
            "interactions": [
                {
                    "description": "ok one",
                    "request": {"method": "GET", "path": "/users/1", "headers": TRACE},
                    "response": {"status": 204},
                },
                {"description": "under test", "request": request, "response": response},
            ],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
    )


def _check(
    request: dict[str, Any], response: dict[str, Any], options: CrosscheckOptions | None = None
) -> list[Mismatch]:
    return crosscheck(Contract.from_dict(SPEC), _pact(request, response), options)


def _get(**extra: Any) -> dict[str, Any]:
    headers = {**TRACE, **extra.pop("headers", {})}
    return {"method": "GET", "path": "/users/1", "headers": headers, **extra}


def _put(**extra: Any) -> dict[str, Any]:
    headers = {"X-Key": "k", "Content-Type": "application/json", **extra.pop("headers", {})}
    return {
        "method": "PUT",
        "path": "/users/1",
        "headers": headers,
        "body": {"id": 1, "name": "a"},
        **extra,
    }


OK = {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": 1}}
CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("request.path-or-method.unknown", {"method": "GET", "path": "/nope"}, OK, ".request.path"),
    (
        "request.path-or-method.unknown",
        {"method": "PATCH", "path": "/users/1"},
        OK,
        ".request.path",
    ),
    (
        "request.path-or-method.unknown",
        {"method": "GET", "path": "/users/abc"},
        OK,
        ".request.path",
    ),
    ("request.query.unknown", _get(query={"page": ["2"]}), OK, ".request.query.page"),
    ("request.query.incompatible", _get(query={"limit": ["many"]}), OK, ".request.query.limit"),
    ("request.query.incompatible", _get(query="limit=11"), OK, ".request.query.limit"),
    ("request.header.unknown", _get(headers={"X-Other": "1"}), OK, ".request.headers.X-Other"),
    (
        "request.header.incompatible",
        _get(headers={"X-Version": "v2"}),
        OK,
        ".request.headers.X-Version",
    ),
    ("request.header.incompatible", {"method": "GET", "path": "/users/1"}, OK, ""),
    ("request.authorization.missing", _put(headers={"X-Key": None}), {"status": 204}, ""),
    (
        "request.content-type.incompatible",
        _put(headers={"Content-Type": "text/plain"}),
        {"status": 204},
        ".request.headers.Content-Type",
    ),
    (
        "request.content-type.malformed",
        _put(headers={"Content-Type": 'application/json; charset="utf-8'}),
        {"status": 204},
        ".request.headers.Content-Type",
    ),
    ("request.content-type.missing", _put(headers={"Content-Type": None}), {"status": 204}, ""),
    (
        "request.content-type.unknown",
        _get(headers={"Content-Type": "text/plain"}),
        OK,
        ".request.headers.Content-Type",
    ),
    (
        "request.body.incompatible",
        _put(body={"id": "one", "name": "a"}),
        {"status": 204},
        ".request.body.id",
    ),
    (
        "request.body.incompatible",
        _put(body={"id": 2**40, "name": "a"}),
        {"status": 204},
        ".request.body.id",
    ),
    ("request.body.incompatible", {**_put(), "body": None}, {"status": 204}, ".request.body"),
    (
        "request.body.unknown",
        {"method": "DELETE", "path": "/users/1", "body": {"x": 1}},
        {"status": 204},
        ".request.body",
    ),
    (
        "request.accept.incompatible",
        _get(headers={"Accept": "text/html"}),
        OK,
        ".request.headers.Accept",
    ),
    (
        "request.accept.unknown",
        {"method": "DELETE", "path": "/users/1", "headers": {"Accept": "application/json"}},
        {"status": 204},
        ".request.headers.Accept",
    ),
    (
        "response.status.unknown",
        {"method": "DELETE", "path": "/users/1"},
        {"status": 200},
        ".response.status",
    ),
    ("response.status.default", _get(), {"status": 500}, ".response.status"),
    (
        "response.content-type.incompatible",
        _get(),
        {**OK, "headers": {"Content-Type": "text/xml"}},
        ".response.headers.Content-Type",
    ),
    (
        "response.content-type.malformed",
        _get(),
        {**OK, "headers": {"Content-Type": "application/"}},
        ".response.headers.Content-Type",
    ),
    (
        "response.content-type.unknown",
        _get(),
        {"status": 204, "headers": {"Content-Type": "text/xml"}},
        ".response.headers.Content-Type",
    ),
    (
        "response.header.incompatible",
        _get(),
        {**OK, "headers": {"X-Rate": "lots"}},
        ".response.headers.X-Rate",
    ),
    (
        "response.header.unknown",
        _get(),
        {**OK, "headers": {"X-Secret": "1"}},
        ".response.headers.X-Secret",
    ),
    (
        "response.header.undefined",
        _get(),
        {**OK, "headers": {"ETag": "abc"}},
        ".response.headers.ETag",
    ),
    ("response.body.incompatible", _get(), {**OK, "body": {"id": "1"}}, ".response.body.id"),
    (
        "response.body.incompatible",
        _get(),
        {**OK, "body": {"id": 1, "extra": True}},
        ".response.body",
    ),
    ("response.body.unknown", _get(), {"status": 204, "body": {"id": 1}}, ".response.body"),
    (
        "response.body.narrower",  # the schema's name is any string; the consumer wants letters
        _get(),
        {
            **OK,
            "body": {"id": 1, "name": "a"},
            "matchingRules": {
                "body": {"$.name": {"matchers": [{"match": "regex", "regex": "^[a-z]+$"}]}}
            },
        },
        ".response.body.name",
    ),
    (
        "response.content-type.ambiguous",  # no Content-Type: a User or an integer?
        _get(),
        {"status": 203, "body": {"id": 1}},
        ".response",
    ),
    (
        "request.body.wider",  # a number matcher sends 0.5 too; the schema takes integers
        _put(matchingRules={"body": {"$.id": {"matchers": [{"match": "number"}]}}}),
        {"status": 204},
        ".request.body.id",
    ),
    (
        "request.query.wider",  # any number of digits, where the schema takes up to 10
        _get(
            query={"limit": ["3"]},
            matchingRules={
                "query": {"limit": {"matchers": [{"match": "regex", "regex": "^\\d+$"}]}}
            },
        ),
        OK,
        ".request.query.limit",
    ),
    (
        "request.header.wider",  # any text, where the schema takes numbers
        _get(
            headers={"X-Version": "1.5"},
            matchingRules={"header": {"X-Version": {"matchers": [{"match": "type"}]}}},
        ),
        OK,
        ".request.headers.X-Version",
    ),
]


def _clean(request: dict[str, Any]) -> dict[str, Any]:
    headers = {k: v for k, v in request.get("headers", {}).items() if v is not None}
    out = {k: v for k, v in request.items() if v is not None or k != "body"}
    if "headers" in request:
        out["headers"] = headers
    return out


@pytest.mark.parametrize(
    ("code", "request_", "response", "where"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_each_code(
    code: str, request_: dict[str, Any], response: dict[str, Any], where: str
) -> None:
    found = _check(_clean(request_), response)
    hits = [m for m in found if m.code == code]
    assert hits, f"expected {code}, got {[(m.code, m.pact_path, m.message) for m in found]}"
    mismatch = hits[0]
    assert mismatch.pact_path == f"[root].interactions[1]{where}"
    assert mismatch.severity is CODES[code]
    assert mismatch.pact_location.file == "<memory>.json" and mismatch.pact_location.line > 0
    assert mismatch.pact_location.pointer.startswith("/interactions/1")
    assert mismatch.spec_path.startswith("[root]")
    assert mismatch.message


def test_every_code_and_both_severities_are_covered() -> None:
    covered = {c[0] for c in CASES}
    assert covered == set(CODES)
    assert {CODES[c] for c in covered} == {Severity.ERROR, Severity.WARNING}
    assert {code for spec in CHECKS.values() for code in spec.codes} | {
        "request.path-or-method.unknown"
    } == set(CODES)


def test_a_matching_interaction_has_no_mismatch() -> None:
    assert _check(_put(), {"status": 204}) == []
    assert _check(_get(query={"limit": ["3"]}, headers={"X-Version": "1.5"}), OK) == []


def test_spec_location_points_at_the_schema_line() -> None:
    [found] = _check(_get(), {**OK, "body": {"id": "1"}})
    assert found.spec_location is not None
    assert found.spec_location.pointer.endswith("/content/application~1json/schema")
    assert (
        found.spec_path
        == "[root].paths./users/{id}.get.responses.200.content.application/json.schema"
    )
    assert found.pact_location.pointer == "/interactions/1/response/body/id"


def test_options_change_how_strict_responses_are() -> None:
    extra = {**OK, "body": {"id": 1, "extra": True}}
    assert _check(_get(), extra, CrosscheckOptions(additional_properties_in_response=True)) == []
    assert _check(_get(), OK) == []  # `name` is required, but a pact need not show it
    strict = CrosscheckOptions(required_properties_in_response=True)
    [missing] = _check(_get(), OK, strict)
    assert missing.code == "response.body.incompatible" and "name" in missing.message


def test_free_form_objects_close_unless_they_allow_more() -> None:
    """``{type: object}`` promises no property (issue 17); ``additionalProperties: true``
    promises any, and is respected (swagger-mock-validator closes those too)."""
    spec: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/x": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"meta": {"type": "object"}},
                                    }
                                }
                            },
                        }
                    }
                }
            }
        },
    }
    pact = PactFile.from_dict(
        {
            "consumer": {"name": "c"},
            "provider": {"name": "p"},
            "interactions": [
                {
                    "description": "d",
                    "request": {"method": "GET", "path": "/x"},
                    "response": {"status": 200, "body": {"meta": {"anything": 1}}},
                }
            ],
        }
    )
    [closed] = crosscheck(Contract.from_dict(spec), pact)
    assert closed.code == "response.body.incompatible"
    assert closed.pact_path == "[root].interactions[0].response.body.meta"
    meta = spec["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]
    meta["schema"]["properties"]["meta"]["additionalProperties"] = True
    assert crosscheck(Contract.from_dict(spec), pact) == []


def test_to_finding_uses_the_code_as_rule_id() -> None:
    [found] = _check(_get(), {**OK, "body": {"id": "1"}})
    finding = found.to_finding()
    assert finding.rule == "response.body.incompatible"
    assert finding.severity is Severity.ERROR
    assert finding.location == found.pact_location
    assert finding.related == (found.spec_location,)


def test_an_unusable_pact_raises() -> None:
    pact = PactFile.from_dict({"consumer": {"name": "c"}, "interactions": "nope"})
    with pytest.raises(PactError):
        crosscheck(Contract.from_dict(SPEC), pact)


def test_a_server_base_path_is_taken_off_the_pact_path() -> None:
    spec = {**SPEC, "servers": [{"url": "https://api.example.com/v1"}]}
    pact = _pact({"method": "DELETE", "path": "/v1/users/7"}, {"status": 204})
    assert crosscheck(Contract.from_dict(spec), pact) == []
    [unknown] = crosscheck(Contract.from_dict(SPEC), pact)
    assert unknown.code == "request.path-or-method.unknown"


def test_oauth2_needs_an_authorization_header() -> None:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "components": {"securitySchemes": {"shop": {"type": "oauth2", "flows": {}}}},
        "security": [{"shop": ["read"]}],
        "paths": {"/x": {"get": {"responses": {"204": {"description": "ok"}}}}},
    }

    def run(headers: dict[str, str]) -> list[Mismatch]:
        pact = PactFile.from_dict(
            {
                "consumer": {"name": "c"},
                "provider": {"name": "p"},
                "interactions": [
                    {
                        "description": "d",
                        "request": {"method": "GET", "path": "/x", "headers": headers},
                        "response": {"status": 204},
                    }
                ],
            }
        )
        return crosscheck(Contract.from_dict(spec), pact)

    [missing] = run({})
    assert missing.code == "request.authorization.missing"
    assert missing.spec_path == "[root].security[0].shop"
    assert "'shop'" in missing.message
    assert run({"Authorization": "Bearer x"}) == []
