"""Properties named after schema keywords are names, not keywords (OpenAI's ``format``)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from accord.core import Contract, Direction
from accord.mock import MockApp, MockConfig
from tests.mock.helpers import mock_client

#: every keyword a schema walker might mistake a property name for
KEYWORDS = (
    "$ref", "additionalProperties", "allOf", "anyOf", "const", "default", "deprecated",
    "discriminator", "enum", "example", "examples", "exclusiveMaximum", "exclusiveMinimum",
    "format", "items", "maxItems", "maxLength", "maximum", "minItems", "minLength", "minimum",
    "multipleOf", "not", "nullable", "oneOf", "pattern", "prefixItems", "properties",
    "readOnly", "required", "type", "uniqueItems", "writeOnly", "xml",
)  # fmt: skip


def _contract(version: str) -> Contract:
    props: dict[str, Any] = {name: {"type": "string"} for name in KEYWORDS}
    props["n"] = {"type": "integer", "format": "int32"}
    props["nested"] = {
        "type": "object",
        "properties": {
            "format": {"type": "integer", "format": "int32"},
            "type": {"type": "string"},
        },
    }
    thing = {"type": "object", "required": [*KEYWORDS, "n"], "properties": props}
    body = {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}},
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Thing"}},
        },
    }
    ok = {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
    data = {
        "openapi": version,
        "info": {"title": "keywords", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": "create",
                    "requestBody": body,
                    "responses": {
                        "201": {"description": "made", "content": ok},
                        "400": {"description": "bad"},
                    },
                },
                "get": {
                    "operationId": "list",
                    "responses": {
                        "200": {
                            "description": "all",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Thing"},
                                    }
                                }
                            },
                        }
                    },
                },
            }
        },
        "components": {"schemas": {"Thing": thing}},
    }
    return Contract.from_dict(data, name=f"keywords-{version}.json")


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
@pytest.mark.parametrize("stateful", [False, True], ids=["plain", "stateful"])
def test_properties_named_after_keywords(version: str, stateful: bool) -> None:
    contract = _contract(version)
    app = MockApp([contract], MockConfig(stateful=stateful))
    app.warm()  # crashed with "unhashable type: 'dict'" on a property named `format`
    client = mock_client(app)
    thing = {**{name: "v" for name in KEYWORDS}, "n": 1, "nested": {"format": 2, "type": "t"}}

    made = client.post("/things", json=thing)
    assert made.status_code == 201, made.text
    assert _conforms(contract, "POST", made), made.text

    listed = client.get("/things")
    assert listed.status_code == 200, listed.text
    assert _conforms(contract, "GET", listed), listed.text

    for bad, pointer in (
        ({**thing, "n": 2**40}, "/n"),
        ({**thing, "nested": {"format": 2**40}}, "/nested/format"),
        ({**thing, "format": 5}, "/format"),
        ({k: v for k, v in thing.items() if k != "required"}, ""),
    ):
        refused = client.post("/things", json=bad)
        assert refused.status_code == 400, refused.text
        assert pointer in [e["pointer"] for e in refused.json()["errors"]], refused.text

    form = {name: "v" for name in KEYWORDS} | {"n": "7"}
    sent = client.post("/things", data=form)
    assert sent.status_code == 201, sent.text
    out_of_range = client.post("/things", data={**form, "n": str(2**40)})
    assert out_of_range.status_code == 400, out_of_range.text


def _conforms(contract: Contract, method: str, answer: httpx.Response) -> bool:
    """The answer's JSON body fits the contract's schema for /things and its status."""
    operation = contract.operation(method, "/things")
    assert operation is not None
    media = operation.responses[str(answer.status_code)].content["application/json"]
    assert media.schema is not None
    return contract.validator(media.schema, Direction.RESPONSE).is_valid(answer.json())
