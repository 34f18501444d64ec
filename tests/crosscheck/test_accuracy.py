"""Issue 17: negative tests in pacts, oneOf/anyOf under relaxed ``required``, free-form
objects in closed responses, and one finding per problem."""

from __future__ import annotations

import copy
from typing import Any

from accord.core import Contract, PactFile
from accord.crosscheck import CrosscheckOptions, Mismatch, crosscheck

PROBLEM = {
    "application/problem+json": {
        "schema": {"type": "object", "properties": {"title": {"type": "string"}}}
    }
}
CARD = {
    "type": "object",
    "required": ["kind", "number"],
    "properties": {"kind": {"type": "string"}, "number": {"type": "string"}},
}
IBAN = {
    "type": "object",
    "required": ["kind", "iban"],
    "properties": {"kind": {"type": "string"}, "iban": {"type": "string"}},
}
SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "pay", "version": "1"},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Card": CARD, "Iban": IBAN},
    },
    "security": [{"bearer": []}],
    "paths": {
        "/methods/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": {
                        "description": "one of two shapes",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/Card"},
                                        {"$ref": "#/components/schemas/Iban"},
                                    ]
                                }
                            }
                        },
                    },
                    "400": {"description": "bad", "content": PROBLEM},
                    "401": {"description": "who", "content": PROBLEM},
                    "404": {"description": "none", "content": PROBLEM},
                },
            },
            "put": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Card"}}
                    },
                },
                "responses": {
                    "204": {"description": "saved"},
                    "400": {"description": "bad", "content": PROBLEM},
                    "415": {"description": "not json", "content": PROBLEM},
                },
            },
        },
        "/free": {
            "get": {
                "security": [],
                "responses": {
                    "200": {
                        "description": "free-form",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"meta": {"type": "object"}},
                                }
                            }
                        },
                    }
                },
            }
        },
    },
}
AUTH = {"Authorization": "Bearer t"}
JSON = {"Content-Type": "application/json"}


def run(
    request: dict[str, Any],
    response: dict[str, Any],
    options: CrosscheckOptions | None = None,
    spec: dict[str, Any] | None = None,
) -> list[tuple[str, str]]:
    return [(m.code, m.pact_path) for m in mismatches(request, response, options, spec)]


def mismatches(
    request: dict[str, Any],
    response: dict[str, Any],
    options: CrosscheckOptions | None = None,
    spec: dict[str, Any] | None = None,
) -> list[Mismatch]:
    pact = PactFile.from_dict(
        {
            "consumer": {"name": "web"},
            "provider": {"name": "pay"},
            "interactions": [{"description": "d", "request": request, "response": response}],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
    )
    return crosscheck(Contract.from_dict(spec or SPEC), pact, options)


def _get(path: str = "/methods/1", **extra: Any) -> dict[str, Any]:
    return {"method": "GET", "path": path, "headers": {**AUTH, **extra.pop("headers", {})}, **extra}


def _put(body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "method": "PUT",
        "path": "/methods/1",
        "headers": {**AUTH, **JSON, **(headers or {})},
        "body": body,
    }


def _error(status: int) -> dict[str, Any]:
    return {
        "status": status,
        "headers": {"Content-Type": "application/problem+json"},
        "body": {"title": "no"},
    }


ROOT = "[root].interactions[0]"


def test_a_recorded_400_explains_a_bad_body_query_or_header() -> None:
    bad_body = _put({"kind": "card", "number": 4})
    assert run(bad_body, {"status": 204}) == [
        ("request.body.incompatible", f"{ROOT}.request.body.number")
    ]
    assert run(bad_body, _error(400)) == []
    bad_query = _get(query={"limit": ["lots"]})
    assert run(bad_query, _error(400)) == []
    assert run(bad_query, {"status": 200, "body": {"kind": "card"}}) != []


def test_an_error_only_explains_what_it_is_about() -> None:
    no_auth = {"method": "GET", "path": "/methods/1"}
    assert run(no_auth, _error(401)) == []
    # a 400 says nothing about missing credentials (a server asks for those first)
    assert run(no_auth, _error(400)) == [("request.authorization.missing", ROOT)]
    text = _put("x", {"Content-Type": "text/plain"})
    assert run(text, _error(415)) == []
    assert run(text, _error(401)) == [
        ("request.content-type.incompatible", f"{ROOT}.request.headers.Content-Type"),
        ("response.status.unknown", f"{ROOT}.response.status"),  # PUT documents no 401
    ]


def test_the_recorded_error_must_be_documented_for_the_operation() -> None:
    bad_body = _put({"kind": "card", "number": 4})
    assert run(bad_body, _error(422)) == [("response.status.unknown", f"{ROOT}.response.status")]


def test_a_404_for_a_path_parameter_that_does_not_fit_is_a_negative_test() -> None:
    assert run(_get("/methods/abc"), _error(404)) == []
    assert run(_get("/methods/abc"), {"status": 200, "body": {}}) == [
        ("request.path-or-method.unknown", f"{ROOT}.request.path")
    ]
    put = {**_put({"kind": "card", "number": "4"}), "path": "/methods/abc"}
    assert run(put, _error(404)) == [("response.status.unknown", f"{ROOT}.response.status")]
    assert run(_get("/nowhere"), _error(404)) == [
        ("request.path-or-method.unknown", f"{ROOT}.request.path")
    ]


def test_one_of_branches_are_closed_so_only_a_real_ambiguity_is_reported() -> None:
    card = {"status": 200, "headers": JSON, "body": {"kind": "card", "number": "4"}}
    assert run(_get(), card) == []
    both = {**card, "body": {"kind": "x", "number": "4", "iban": "DE"}}
    found = run(_get(), both)
    assert found and all(code == "response.body.incompatible" for code, _ in found)
    assert len(found) == 1, found  # one finding says it
    extra = {**card, "body": {"kind": "card", "number": "4", "zzz": 1}}
    [undeclared] = mismatches(_get(), extra)
    assert "'zzz' is not declared" in undeclared.message  # not also "valid under none"
    # only "kind": it fits both branches for real
    ambiguous = {**card, "body": {"kind": "card"}}
    [(code, _)] = run(_get(), ambiguous)
    assert code == "response.body.incompatible"
    # with additional properties allowed, branches stay open: the card fits both
    loose = CrosscheckOptions(additional_properties_in_response=True)
    assert run(_get(), card, loose) != []


def test_any_of_branches_pick_the_declared_properties() -> None:
    """A guard: closing branches must not hide an undeclared property under anyOf."""
    spec = _with_any_of()
    extra = {"status": 200, "headers": JSON, "body": {"kind": "card", "number": "4", "x": 1}}
    assert run(_get(), extra, spec=spec) == [
        ("response.body.incompatible", f"{ROOT}.response.body")
    ]
    fine = {**extra, "body": {"kind": "card", "number": "4"}}
    assert run(_get(), fine, spec=spec) == []


def _with_any_of() -> dict[str, Any]:
    spec = copy.deepcopy(SPEC)
    schema = spec["paths"]["/methods/{id}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    schema["anyOf"] = schema.pop("oneOf")
    return spec


def test_a_free_form_object_in_a_closed_response_refuses_undeclared_properties() -> None:
    response = {"status": 200, "headers": JSON, "body": {"meta": {"anything": 1}}}
    found = mismatches({"method": "GET", "path": "/free"}, response)
    assert [(m.code, m.pact_path) for m in found] == [
        ("response.body.incompatible", f"{ROOT}.response.body.meta")
    ]
    assert "'anything'" in found[0].message
    loose = CrosscheckOptions(additional_properties_in_response=True)
    assert run({"method": "GET", "path": "/free"}, response, loose) == []


def test_an_incompatible_content_type_is_one_finding_not_two() -> None:
    text = _put("x", {"Content-Type": "text/plain"})
    assert run(text, {"status": 204}) == [
        ("request.content-type.incompatible", f"{ROOT}.request.headers.Content-Type")
    ]


def _nested(keyword: str) -> dict[str, Any]:
    """A body {a: {...}, b: ...} that fits A only while A is open."""
    spec = copy.deepcopy(SPEC)
    branch_a = {"type": "object", "properties": {"a": {"type": "object", "properties": {"x": {}}}}}
    branch_b = {
        "type": "object",
        "properties": {"a": {"type": "object", "properties": {"y": {}}}, "b": {}},
    }
    content = spec["paths"]["/methods/{id}"]["get"]["responses"]["200"]["content"]
    content["application/json"]["schema"] = {keyword: [branch_a, branch_b]}
    return spec


def test_the_branches_a_body_fits_once_closed_declare_its_properties() -> None:
    body = {"status": 200, "headers": JSON, "body": {"a": {"x": 1}, "b": 1}}
    for keyword in ("anyOf", "oneOf"):
        # open, both branches fit and together declare a.x; closed, only B fits: a.x is not
        found = run(_get(), body, spec=_nested(keyword))
        assert found == [("response.body.incompatible", f"{ROOT}.response.body.a")], keyword
        fine = {**body, "body": {"a": {"y": 1}, "b": 1}}
        assert run(_get(), fine, spec=_nested(keyword)) == [], keyword
