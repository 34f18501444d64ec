"""The mock's fast error listing says exactly what ``SchemaValidator.violations`` says."""

from __future__ import annotations

from typing import Any

import pytest

from accord.core import Contract, Direction, SchemaValidator, Violation
from accord.mock._validators import error_list
from tests.mock.conftest import tiny

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
    contract: Contract = tiny(
        {
            "/x": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": SCHEMA}}},
                    "responses": {"204": {"description": "ok"}},
                }
            }
        }
    )
    operation = contract.operation("post", "/x")
    assert operation is not None and operation.request_body is not None
    schema = operation.request_body.content["application/json"].schema
    assert schema is not None
    return contract.validator(schema, Direction.REQUEST)


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("limit", [1, 3, 50])
def test_error_list_matches_violations(value: Any, limit: int) -> None:
    validator = _validator()
    expected = [
        {"pointer": v.pointer, "message": v.message} for v in validator.violations(value, limit)
    ]
    assert expected, "each value must be invalid"
    assert error_list(validator, value, limit) == expected


def test_pointers_are_escaped_and_long_messages_shortened() -> None:
    found = error_list(
        _validator(), {"id": "o_a", "tags": ["a"], "a/b~c": {"x~y": 0}, "long": "z"}, 50
    )
    pointers = [e["pointer"] for e in found]
    assert "/a~1b~0c/x~0y" in pointers and "/long" in pointers
    assert all(len(e["message"]) <= 200 for e in found)
    assert any(e["message"].endswith("...") for e in found)


def test_a_valid_value_has_no_errors() -> None:
    assert error_list(_validator(), {"id": "o_a", "tags": ["a"]}, 50) == []


class _Plain:
    """A validator with only the public interface."""

    def violations(self, instance: Any, limit: int = 50) -> list[Violation]:
        return [Violation("/p", f"bad {instance}")][:limit]


def test_other_validators_fall_back_to_violations() -> None:
    plain: Any = _Plain()
    assert error_list(plain, 7, 50) == [{"pointer": "/p", "message": "bad 7"}]
