"""``SchemaValidator.errors`` (the hot-path listing) says what ``violations`` says."""

from __future__ import annotations

from typing import Any

import pytest

from accord.core import Contract, Direction, SchemaValidator

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "tags"],
    "properties": {
        "id": {"type": "string", "pattern": "^o_[a-z]+$"},
        "tags": {"type": "array", "minItems": 1, "items": {"type": "string", "maxLength": 3}},
        "a/b~c": {"type": "object", "properties": {"x~y": {"type": "integer", "minimum": 1}}},
        "long": {"type": "string", "enum": ["x" * 150, "y" * 150]},
        "kind": {"oneOf": [{"type": "integer"}, {"type": "string", "minLength": 2}]},
    },
}
BAD: list[Any] = [
    {"id": 5, "tags": [], "extra": True},
    {"id": "nope", "tags": ["long-tag", 3], "a/b~c": {"x~y": 0}},
    {"tags": ["ok"], "long": "z", "kind": "k"},
    [1, 2],
    {"id": "o_a", "tags": ["a"] * 3 + [1] * 80},
]


def _validator() -> SchemaValidator:
    operation = {
        "requestBody": {"content": {"application/json": {"schema": SCHEMA}}},
        "responses": {"204": {"description": "ok"}},
    }
    contract = Contract.from_dict(
        {
            "openapi": "3.0.3",
            "info": {"title": "errors", "version": "1"},
            "paths": {"/x": {"post": operation}},
        }
    )
    operation = contract.operation("post", "/x")
    assert operation is not None and operation.request_body is not None
    schema = operation.request_body.content["application/json"].schema
    assert schema is not None
    return contract.validator(schema, Direction.REQUEST)


def _key(error: dict[str, str]) -> tuple[str, str]:
    return error["pointer"], error["message"]


@pytest.mark.parametrize("value", BAD)
def test_errors_match_violations(value: Any) -> None:
    validator = _validator()
    expected = [{"pointer": v.pointer, "message": v.message} for v in validator.violations(value)]
    assert expected, "each value must be invalid"
    # the same errors; evaluate() may list them in another order
    assert sorted(validator.errors(value), key=_key) == sorted(expected, key=_key)


def test_limit() -> None:
    assert len(_validator().errors(BAD[4], 3)) == 3


def test_a_failed_one_of_is_one_summary_error_not_one_per_branch() -> None:
    found = _validator().errors({"id": "o_a", "tags": ["a"], "kind": "k"})
    assert [e["pointer"] for e in found] == ["/kind"]
    assert "oneOf" in found[0]["message"]


def test_pointers_are_escaped_and_long_messages_shortened() -> None:
    found = _validator().errors({"id": "o_a", "tags": ["a"], "a/b~c": {"x~y": 0}, "long": "z"})
    pointers = [e["pointer"] for e in found]
    assert "/a~1b~0c/x~0y" in pointers and "/long" in pointers
    assert all(len(e["message"]) <= 200 for e in found)
    assert any(e["message"].endswith("...") for e in found)


def test_a_valid_value_has_no_errors() -> None:
    assert _validator().errors({"id": "o_a", "tags": ["a"]}) == []
