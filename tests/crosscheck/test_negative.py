"""Negative tests in pacts (issue 17): a recorded error status explains some request
problems, never others, and the status itself must be documented for the operation.

Every kind of request defect is tried under every error status; the expected table is
written out here, independently of the one in ``accord.crosscheck._negative``."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from accord.core import Contract, PactFile
from accord.crosscheck import crosscheck

STATUSES = (
    400,
    401,
    403,
    404,
    405,
    406,
    409,
    410,
    412,
    413,
    414,
    415,
    418,
    422,
    428,
    429,
    431,
    500,
)
PROBLEM = {
    "application/problem+json": {
        "schema": {"type": "object", "properties": {"title": {"type": "string"}}}
    }
}
SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "things", "version": "1"},
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}
    },
    "security": [{"key": []}],
    "paths": {
        "/things/{id}": {
            "put": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "X-Trace", "in": "header", "schema": {"type": "integer"}},
                    {"name": "If-Match", "in": "header", "required": True, "schema": {}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"name": {"type": "string"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "saved",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **{str(s): {"description": "error", "content": PROBLEM} for s in STATUSES},
                },
            }
        }
    },
}
GOOD: dict[str, Any] = {
    "method": "PUT",
    "path": "/things/1",
    "query": "limit=5",
    "headers": {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Api-Key": "k",
        "X-Trace": "7",
        "If-Match": '"v1"',
    },
    "body": {"name": "a"},
}


def _headers(**changes: str | None) -> Callable[[dict[str, Any]], None]:
    def change(request: dict[str, Any]) -> None:
        for key, value in changes.items():
            name = key.replace("_", "-")
            if value is None:
                del request["headers"][name]
            else:
                request["headers"][name] = value

    return change


#: defect -> (how the request is spoiled, the code it gives when nothing explains it)
DEFECTS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "body": (lambda r: r.update(body={"name": 5}), "request.body.incompatible"),
    "content-type": (
        lambda r: r.update(body="a", headers={**r["headers"], "Content-Type": "text/plain"}),
        "request.content-type.incompatible",
    ),
    "accept": (_headers(Accept="application/xml"), "request.accept.incompatible"),
    "no-credentials": (_headers(X_Api_Key=None), "request.authorization.missing"),
    "no-if-match": (_headers(If_Match=None), "request.header.incompatible"),
    "bad-header": (_headers(X_Trace="abc"), "request.header.incompatible"),
    "unknown-header": (_headers(X_Zz="1"), "request.header.unknown"),
    "bad-query": (lambda r: r.update(query="limit=abc"), "request.query.incompatible"),
    "unknown-query": (lambda r: r.update(query="limit=5&zz=1"), "request.query.unknown"),
    "bad-path": (lambda r: r.update(path="/things/abc"), "request.path-or-method.unknown"),
}
CONTENT = {"body", "content-type", "no-if-match", "bad-header", "unknown-header"}
RESOURCE = {"bad-query", "unknown-query", "bad-path"}
#: status -> the defects it explains; every other pairing must be reported
EXPLAINS: dict[int, set[str]] = {
    400: CONTENT | RESOURCE,
    422: CONTENT | RESOURCE,
    401: {"no-credentials"},
    403: {"no-credentials"},
    404: RESOURCE,
    410: RESOURCE,
    414: RESOURCE,
    406: {"accept"},
    412: {"no-if-match"},
    428: {"no-if-match"},
    413: {"body"},
    415: {"content-type", "body"},
    431: {"no-if-match", "bad-header", "unknown-header"},
}


def _run(request: dict[str, Any], status: int, spec: dict[str, Any] = SPEC) -> list[str]:
    pact = PactFile.from_dict(
        {
            "consumer": {"name": "web"},
            "provider": {"name": "things"},
            "interactions": [
                {
                    "description": "a negative test",
                    "request": request,
                    "response": {
                        "status": status,
                        "headers": {"Content-Type": "application/problem+json"},
                        "body": {"title": "no"},
                    },
                }
            ],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
    )
    return sorted(m.code for m in crosscheck(Contract.from_dict(spec), pact))


@pytest.fixture(scope="module")
def contract_without_errors() -> dict[str, Any]:
    spec = copy.deepcopy(SPEC)
    responses = spec["paths"]["/things/{id}"]["put"]["responses"]
    spec["paths"]["/things/{id}"]["put"]["responses"] = {"200": responses["200"]}
    return spec


def test_the_unspoiled_request_is_clean_under_every_status() -> None:
    for status in STATUSES:
        assert _run(copy.deepcopy(GOOD), status) == [], status


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_each_status_explains_only_the_request_parts_it_is_about(defect: str) -> None:
    spoil, code = DEFECTS[defect]
    request = copy.deepcopy(GOOD)
    spoil(request)
    for status in STATUSES:
        found = _run(request, status)
        if defect in EXPLAINS.get(status, set()):
            assert found == [], (defect, status, found)
        else:
            assert code in found, (defect, status, found)


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_an_explained_problem_still_needs_the_status_documented(
    defect: str, contract_without_errors: dict[str, Any]
) -> None:
    spoil, code = DEFECTS[defect]
    request = copy.deepcopy(GOOD)
    spoil(request)
    for status in STATUSES:
        found = _run(request, status, contract_without_errors)
        if defect in EXPLAINS.get(status, set()):
            assert found == ["response.status.unknown"], (defect, status, found)
        else:
            assert code in found, (defect, status, found)


def test_a_404_with_an_undocumented_query_parameter_is_a_negative_test() -> None:
    """The case the issue names: smv skips it, and so does Accord, for what a 404 explains."""
    request = {**copy.deepcopy(GOOD), "path": "/things/999", "query": "expand=all"}
    assert _run(request, 404) == []
    assert "request.query.unknown" in _run(request, 200)
    # a 409 is about the resource's state: the request must still be one the contract takes
    assert _run(request, 409) == ["request.query.unknown"]


def test_a_405_for_a_method_the_path_lacks_is_a_negative_test() -> None:
    delete = {"method": "DELETE", "path": "/things/1", "headers": {"X-Api-Key": "k"}}
    assert _run(delete, 405) == []
    assert _run(delete, 404) == ["request.path-or-method.unknown"]
    assert _run({**delete, "path": "/nowhere"}, 405) == ["request.path-or-method.unknown"]
    # a method the path has, answered 405: that status must be documented like any other
    put = copy.deepcopy(GOOD)
    spec = copy.deepcopy(SPEC)
    del spec["paths"]["/things/{id}"]["put"]["responses"]["405"]
    assert _run(put, 405, spec) == ["response.status.unknown"]
