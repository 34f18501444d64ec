"""Content types by RFC 6839 suffix and parameters, the same for HTTP and messages (issue
17): a Kafka schema-registry type is JSON, a differing ``version`` is not the same type."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from accord.core import AsyncContract, Contract, PactFile, check_message
from accord.crosscheck import crosscheck, crosscheck_messages

REPO = Path(__file__).resolve().parents[2]
PACT = json.loads((REPO / "contracts/pacts/shipping-orders.json").read_text())
REGISTRY = "application/vnd.schemaregistry.v1+json"


@pytest.fixture(scope="module")
def orders() -> AsyncContract:
    return AsyncContract.from_path(REPO / "contracts/asyncapi/orders.yaml")


def _message_pact(content_type: str) -> PactFile:
    pact = copy.deepcopy(PACT)
    for interaction in pact["interactions"]:
        interaction["contents"]["contentType"] = content_type
        interaction["metadata"]["contentType"] = content_type
    return PactFile.from_dict(pact)


@pytest.mark.parametrize(
    "content_type",
    [REGISTRY, "application/vnd.apache.avro+json", "application/json; charset=utf-8"],
)
def test_a_json_suffixed_message_type_fits_a_json_message(
    orders: AsyncContract, content_type: str
) -> None:
    assert crosscheck_messages(orders, _message_pact(content_type)) == []


@pytest.mark.parametrize(
    "content_type", ["application/vnd.apache.avro+binary", "text/plain", "application/xml"]
)
def test_another_message_type_is_still_incompatible(
    orders: AsyncContract, content_type: str
) -> None:
    found = crosscheck_messages(orders, _message_pact(content_type))
    assert found and {m.code for m in found} == {"message.content-type.incompatible"}


def _versioned(tmp_path: Path) -> AsyncContract:
    doc = {
        "asyncapi": "3.0.0",
        "info": {"title": "prices", "version": "1"},
        "channels": {
            "prices": {
                "address": "prices",
                "messages": {
                    "price": {
                        "contentType": f"{REGISTRY}; version=2",
                        "payload": {"type": "object", "properties": {"p": {"type": "number"}}},
                    }
                },
            }
        },
        "operations": {
            "publish": {
                "action": "send",
                "channel": {"$ref": "#/channels/prices"},
                "messages": [{"$ref": "#/channels/prices/messages/price"}],
            }
        },
    }
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(doc))
    return AsyncContract.from_path(path)


def test_a_message_parameter_disagrees_only_when_both_sides_give_it(tmp_path: Path) -> None:
    contract = _versioned(tmp_path)

    def codes(content_type: str) -> list[str]:
        pact = {
            "consumer": {"name": "c"},
            "provider": {"name": "p"},
            "messages": [
                {
                    "description": "a price",
                    "contents": {"p": 1.5},
                    "metadata": {"contentType": content_type, "topic": "prices"},
                }
            ],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
        return [m.code for m in crosscheck_messages(contract, PactFile.from_dict(pact))]

    assert codes(f"{REGISTRY}; version=2") == []
    assert codes("application/json") == []
    assert codes(f"{REGISTRY};version=1") == ["message.content-type.incompatible"]
    # a broker's message is judged by the same rule (verify and the mock)
    assert check_message(contract, "prices", b'{"p": 1}', {"content-type": "application/json"}).ok
    late = check_message(contract, "prices", b'{"p": 1}', {"content-type": f"{REGISTRY};version=1"})
    assert late.problems and "content type" in late.problems[0]


SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"n": {"type": "integer"}},
                            }
                        }
                    }
                },
                "responses": {
                    "201": {
                        "description": "made",
                        "content": {
                            "application/hal+json": {
                                "schema": {"type": "object", "properties": {"n": {}}}
                            }
                        },
                    }
                },
            }
        }
    },
}


def _http(request_type: str, response_type: str, n: Any = 1) -> list[tuple[str, str]]:
    pact = PactFile.from_dict(
        {
            "consumer": {"name": "c"},
            "provider": {"name": "p"},
            "interactions": [
                {
                    "description": "make",
                    "request": {
                        "method": "POST",
                        "path": "/things",
                        "headers": {"Content-Type": request_type},
                        "body": {"n": n},
                    },
                    "response": {
                        "status": 201,
                        "headers": {"Content-Type": response_type},
                        "body": {"n": 1},
                    },
                }
            ],
            "metadata": {"pactSpecification": {"version": "2.0.0"}},
        }
    )
    return [(m.code, m.pact_path) for m in crosscheck(Contract.from_dict(SPEC), pact)]


def test_http_bodies_follow_the_same_rule() -> None:
    assert _http(REGISTRY, "application/hal+json") == []
    assert _http(f"{REGISTRY}; charset=utf-8", "application/json") == []
    # the suffixed type is JSON: its body is still validated
    assert _http(REGISTRY, "application/hal+json", n="x") == [
        ("request.body.incompatible", "[root].interactions[0].request.body.n")
    ]
    where = "[root].interactions[0].response.headers.Content-Type"
    assert _http("application/json; version=3", "application/problem+json") == [
        ("response.content-type.incompatible", where)
    ]
    assert _http("application/xml", "application/hal+json")[0][0] == (
        "request.content-type.incompatible"
    )


def test_a_pact_accept_header_is_read_with_quoted_strings() -> None:
    """A semicolon or comma inside a quoted value splits nothing (RFC 9110 §5.6.4)."""

    def accept(header: str) -> list[str]:
        request = {"method": "POST", "path": "/things", "headers": {"Accept": header}}
        interaction = {"description": "make", "request": request, "response": {"status": 201}}
        pact = {"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [interaction]}
        found = crosscheck(Contract.from_dict(SPEC), PactFile.from_dict(pact))
        return [m.code for m in found]

    assert accept('application/hal+json; note="a;q=0;"') == []  # not a weight of 0
    assert accept('text/html; note="x, application/hal+json;v=1"') == [
        "request.accept.incompatible"
    ]
    assert accept("text/html, application/*;q=0.5") == []


def test_a_v4_body_content_type_stands_for_the_header() -> None:
    """A V4 pact may give the type only as the body's ``contentType``: it is read like the
    header, by the servers' rule (the most specific key's schema checks the body)."""
    spec = copy.deepcopy(SPEC)
    content = spec["paths"]["/things"]["post"]["requestBody"]["content"]
    content["application/vnd.acme.v2+json"] = {"schema": {"type": "object", "required": ["v2"]}}

    def check(request_type: str, response_type: str) -> list[tuple[str, str]]:
        def body(kind: str) -> dict[str, Any]:
            return {"contentType": kind, "encoded": False, "content": {"n": 1}}

        interaction = {
            "type": "Synchronous/HTTP",
            "description": "make",
            "request": {"method": "POST", "path": "/things", "body": body(request_type)},
            "response": {"status": 201, "body": body(response_type)},
        }
        pact = {
            "consumer": {"name": "c"},
            "provider": {"name": "p"},
            "interactions": [interaction],
            "metadata": {"pactSpecification": {"version": "4.0"}},
        }
        found = crosscheck(Contract.from_dict(spec), PactFile.from_dict(pact))
        return [(m.code, m.pact_path) for m in found]

    assert check("application/json", "application/hal+json") == []
    at = "[root].interactions[0]"
    assert check("application/vnd.acme.v2+json", "application/hal+json") == [
        ("request.body.incompatible", f"{at}.request.body")
    ]
    assert check("application/json", "text/html") == [
        ("response.content-type.incompatible", f"{at}.response.body.contentType")
    ]
    assert check("application/", "application/hal+json") == [
        ("request.content-type.malformed", f"{at}.request.body.contentType")
    ]


def _untyped(content: dict[str, Any], body: Any, **request: Any) -> list[tuple[str, str]]:
    """A pact response with a body and no Content-Type, against a 200 of ``content``."""
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/n": {"get": {"responses": {"200": {"description": "ok", "content": content}}}}},
    }
    pact = PactFile.from_dict(
        {
            "consumer": {"name": "c"},
            "provider": {"name": "p"},
            "interactions": [
                {
                    "description": "d",
                    "request": {"method": "GET", "path": "/n", **request},
                    "response": {"status": 200, "body": body},
                }
            ],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
    )
    return [(m.code, m.pact_path) for m in crosscheck(Contract.from_dict(spec), pact)]


NUMBER = {"schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}
TEXT = {"schema": {"type": "object", "properties": {"n": {"type": "string"}}}}
AT = "[root].interactions[0].response"


def test_an_untyped_response_is_read_as_the_only_json_type() -> None:
    """No Content-Type: the one JSON key is the body's type, whatever else is documented,
    and wherever it stands among the keys."""
    content = {"text/plain": {"schema": {"type": "string"}}, "application/hal+json": NUMBER}
    assert _untyped(content, {"n": 1}) == []
    assert _untyped(content, {"n": "x"}) == [("response.body.incompatible", f"{AT}.body.n")]


def test_an_untyped_response_of_several_json_types_is_ambiguous() -> None:
    """Several JSON keys with different schemas and nothing naming one: the pact does not
    say which the consumer gets. A warning, and the body is held to the one it fits."""
    content = {"application/json": NUMBER, "application/vnd.text+json": TEXT}
    ambiguous = ("response.content-type.ambiguous", AT)
    assert _untyped(content, {"n": 1}) == [ambiguous]
    assert _untyped(content, {"n": "x"}) == [ambiguous]
    assert _untyped(content, {"n": True}) == [
        ambiguous,
        ("response.body.incompatible", f"{AT}.body.n"),
    ]
    # the same schema under two keys, or an Accept that names one: nothing ambiguous
    assert _untyped({"application/json": NUMBER, "application/hal+json": NUMBER}, {"n": 1}) == []
    assert _untyped(content, {"n": 1}, headers={"Accept": "application/json"}) == []
