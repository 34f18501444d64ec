"""The schema-driven generator and the regex drawer: valid, varied, deterministic."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from accord.core import Contract, Direction
from accord.mock import Unsatisfiable, generate_valid
from accord.mock._regex import PatternUnsupported, string_for_pattern
from tests.mock.conftest import tiny

PATTERNS = [
    r"^ord_[A-Za-z0-9]{8,32}$",
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
    r"^[A-Z0-9][A-Z0-9-]{2,31}$",
    r"^\d{3}-\w+\s?x$",
    r"^(red|green|blue)$",
    r"[^abc]+",
    r"^(ab)\1$",
    r"^.{2,4}$",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_strings_match_their_pattern(pattern: str) -> None:
    rng = random.Random(7)
    for _ in range(30):
        assert re.search(pattern, string_for_pattern(pattern, rng))


def test_patterns_draw_the_same_for_the_same_seed() -> None:
    pattern = PATTERNS[0]
    first = [string_for_pattern(pattern, random.Random(1)) for _ in range(3)]
    assert len(set(first)) == 1
    assert string_for_pattern(pattern, random.Random(2)) != first[0]


def test_lookarounds_are_refused() -> None:
    with pytest.raises(PatternUnsupported):
        string_for_pattern(r"^(?=a)a$", random.Random(1))


def _contract(schema: dict[str, Any], components: dict[str, Any] | None = None) -> Contract:
    return tiny(
        {
            "/x": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": schema}}},
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": schema}},
                        }
                    },
                }
            }
        },
        {"schemas": components} if components else None,
    )


THING = {
    "type": "object",
    "required": ["id", "when", "size", "kind", "tags", "secret", "maybe"],
    "properties": {
        "id": {"type": "string", "format": "uuid", "readOnly": True},
        "when": {"type": "string", "format": "date-time"},
        "mail": {"type": "string", "format": "email"},
        "size": {"type": "integer", "minimum": 10, "maximum": 12},
        "ratio": {"type": "number", "exclusiveMinimum": True, "minimum": 0, "maximum": 1},
        "kind": {"type": "string", "enum": ["a", "b"]},
        "tags": {
            "type": "array",
            "minItems": 2,
            "maxItems": 3,
            "uniqueItems": True,
            "items": {"type": "string", "pattern": "^t[0-9]{2}$"},
        },
        "secret": {"type": "string", "writeOnly": True, "minLength": 12},
        "maybe": {"type": "string", "nullable": True, "maxLength": 3},
        "shape": {
            "oneOf": [
                {"$ref": "#/components/schemas/Circle"},
                {"$ref": "#/components/schemas/Square"},
            ]
        },
        "both": {
            "allOf": [
                {"$ref": "#/components/schemas/Base"},
                {
                    "type": "object",
                    "required": ["label"],
                    "properties": {"label": {"type": "string", "minLength": 2}},
                },
            ]
        },
    },
}
SHAPES = {
    "Base": {"type": "object", "required": ["r"], "properties": {"r": {"type": "integer"}}},
    "Circle": {"type": "object", "required": ["r"], "additionalProperties": False,
               "properties": {"r": {"type": "integer", "minimum": 1}}},
    "Square": {"type": "object", "required": ["side"], "additionalProperties": False,
               "properties": {"side": {"type": "integer", "minimum": 1}}},
}  # fmt: skip


@pytest.mark.parametrize("realistic", [True, False])
@pytest.mark.parametrize("seed", range(8))
def test_generated_data_is_valid_in_both_directions(seed: int, realistic: bool) -> None:
    contract = _contract(THING, SHAPES)
    op = contract.operations[0]
    response = op.responses["200"].content["application/json"].schema
    request = op.request_body.content["application/json"].schema if op.request_body else None
    assert response is not None and request is not None
    out = generate_valid(
        contract, response, Direction.RESPONSE, random.Random(seed), realistic=realistic
    )
    assert contract.validator(response, Direction.RESPONSE).is_valid(out)
    assert "secret" not in out  # writeOnly stays out of responses
    assert 10 <= out["size"] <= 12 and out["kind"] in ("a", "b")
    assert len(set(out["tags"])) == len(out["tags"]) >= 2
    sent = generate_valid(
        contract, request, Direction.REQUEST, random.Random(seed), realistic=realistic
    )
    assert contract.validator(request, Direction.REQUEST).is_valid(sent)
    assert "id" not in sent and len(sent["secret"]) >= 12  # readOnly stays out of requests
    if "both" in out:
        assert {"r", "label"} <= set(out["both"])  # allOf parts merged


def test_generation_is_deterministic_for_a_seed() -> None:
    contract = _contract(THING, SHAPES)
    schema = contract.operations[0].responses["200"].content["application/json"].schema
    assert schema is not None
    draws = [
        generate_valid(contract, schema, Direction.RESPONSE, random.Random(s), realistic=False)
        for s in (3, 3, 4)
    ]
    assert draws[0] == draws[1]
    assert draws[0] != draws[2]


def test_one_of_branches_are_all_reached() -> None:
    contract = _contract({"oneOf": [{"$ref": "#/components/schemas/Circle"},
                                    {"$ref": "#/components/schemas/Square"}]}, SHAPES)  # fmt: skip
    schema = contract.operations[0].responses["200"].content["application/json"].schema
    assert schema is not None
    keys = {
        next(
            iter(
                generate_valid(
                    contract, schema, Direction.RESPONSE, random.Random(s), realistic=False
                )
            )
        )
        for s in range(20)
    }
    assert keys == {"r", "side"}


def test_an_impossible_schema_is_unsatisfiable() -> None:
    contract = _contract({"type": "integer", "minimum": 5, "maximum": 4})
    schema = contract.operations[0].responses["200"].content["application/json"].schema
    assert schema is not None
    with pytest.raises(Unsatisfiable):
        generate_valid(contract, schema, Direction.RESPONSE, random.Random(1))


def _first_2xx_schema(contract: Contract, method: str, path: str) -> Any:
    op = contract.operation(method, path)
    assert op is not None
    schema = op.responses["200"].content["application/json"].schema
    assert schema is not None
    return schema


def test_an_optional_property_no_value_satisfies_is_left_out() -> None:
    """Vercel's `type: null` next to a oneOf of non-null types: fine when optional."""
    never = {"type": "null", "oneOf": [{"type": "string"}, {"type": "number"}]}
    optional = {f"value{i}": never for i in range(8)}  # chance alone never drops them all
    schema = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string"}, **optional},
    }
    contract = tiny({"/x": {"get": {"responses": {"200": {"description": "ok", "content": {
        "application/json": {"schema": schema}}}}}}})  # fmt: skip
    value = generate_valid(
        contract, _first_2xx_schema(contract, "GET", "/x"), Direction.RESPONSE, random.Random(0)
    )
    assert value == {"id": value["id"]} and isinstance(value["id"], str)


def test_an_implicit_discriminator_tag_does_not_break_a_branch_that_fixes_it() -> None:
    """OpenAI's: no mapping, and each branch fixes `type` to a value other than its name."""
    call = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "enum": ["function"]}},
    }
    custom = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "enum": ["custom"]}},
    }
    named = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "pattern": "^N"}},
    }
    union = {
        "oneOf": [
            {"$ref": "#/components/schemas/ToolCall"},
            {"$ref": "#/components/schemas/CustomCall"},
            {"$ref": "#/components/schemas/Named"},
        ],
        "discriminator": {"propertyName": "type"},
    }
    contract = tiny(
        {"/x": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"type": "array", "items": union}}}}}}}},
        {"schemas": {"ToolCall": call, "CustomCall": custom, "Named": named}},
    )  # fmt: skip
    schema = _first_2xx_schema(contract, "GET", "/x")
    first = generate_valid(contract, schema, Direction.RESPONSE, random.Random(0))
    assert [item["type"] for item in first] == ["function"]  # the first branch, as it is
    seen: set[str] = set()
    for seed in range(40):
        drawn = generate_valid(
            contract, schema, Direction.RESPONSE, random.Random(seed), realistic=False
        )
        seen.update(item["type"] for item in drawn)
    assert seen == {"function", "custom", "Named"}  # a free `type` still gets the implicit tag
