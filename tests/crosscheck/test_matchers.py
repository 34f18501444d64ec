"""Matching rules make a response example representative, not literal."""

from __future__ import annotations

from typing import Any

import pytest

from accord.core import Contract, PactFile
from accord.crosscheck import crosscheck
from accord.crosscheck._matchers import representative

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "orders", "version": "1"},
    "paths": {
        "/orders": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "id": {"type": "integer"},
                                            "status": {"enum": ["PAID", "REFUNDED"]},
                                        },
                                    },
                                }
                            }
                        },
                    }
                }
            }
        }
    },
}


def _codes(body: Any, rules: dict[str, Any] | None) -> list[tuple[str, str]]:
    response: dict[str, Any] = {"status": 200, "body": body}
    if rules is not None:
        response["matchingRules"] = {"body": rules}
    pact = PactFile.from_dict(
        {
            "consumer": {"name": "web"},
            "provider": {"name": "orders"},
            "interactions": [
                {
                    "description": "list",
                    "request": {"method": "GET", "path": "/orders"},
                    "response": response,
                }
            ],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
    )
    return [(m.code, m.pact_path) for m in crosscheck(Contract.from_dict(SPEC), pact)]


TYPE = {"combine": "AND", "matchers": [{"match": "type", "min": 1}]}
EQUALITY = {"combine": "AND", "matchers": [{"match": "equality"}]}


def test_a_literal_example_must_fit_the_enum() -> None:
    assert _codes([{"id": 1, "status": "NEW"}], None) == [
        ("response.body.incompatible", "[root].interactions[0].response.body.0.status")
    ]


def test_a_type_matched_example_only_stands_for_its_type() -> None:
    assert _codes([{"id": 1, "status": "NEW"}], {"$": TYPE}) == []
    assert _codes([{"id": 1, "status": "NEW"}], {"$[*].status": TYPE}) == []


def test_types_and_structure_still_count_under_a_matcher() -> None:
    assert _codes([{"id": "1"}], {"$": TYPE}) == [
        ("response.body.incompatible", "[root].interactions[0].response.body.0.id")
    ]
    assert _codes([{"id": 1, "extra": 2}], {"$": TYPE}) == [
        ("response.body.incompatible", "[root].interactions[0].response.body.0")
    ]


def test_an_equality_matcher_keeps_the_example_literal() -> None:
    assert _codes([{"id": 1, "status": "NEW"}], {"$": EQUALITY}) != []


@pytest.mark.parametrize(
    ("expression", "path", "covered"),
    [
        ("$", ["a", 0], True),
        ("$.items[*].id", ["items", 3, "id"], True),
        ("$.items[*].id", ["items", 3, "name"], False),
        ("$['a b'].c", ["a b", "c", "d"], True),
        ("$.*", ["x"], True),
        ("$.a[1]", ["a", 0], False),
        ("not a path", ["a"], False),
    ],
)
def test_rule_paths_cover_what_lies_below_them(
    expression: str, path: list[str | int], covered: bool
) -> None:
    assert representative({"body": {expression: TYPE}}, path) is covered


def test_a_response_matcher_class_is_held_to_the_schema() -> None:
    """The class check message pacts get (``_matchers.class_problems``), on HTTP responses."""
    at = "[root].interactions[0].response.body.0"
    paid = {"matchers": [{"match": "regex", "regex": "^PAID$"}]}
    assert _codes([{"id": 1, "status": "PAID"}], {"$[*].status": paid}) == [
        ("response.body.narrower", f"{at}.status")  # REFUNDED is allowed too
    ]
    both = {"matchers": [{"match": "regex", "regex": "^(PAID|REFUNDED)$"}]}
    assert _codes([{"id": 1, "status": "PAID"}], {"$[*].status": both}) == []
    decimal = {"matchers": [{"match": "decimal"}]}
    for example in (1.5, 1.0):  # the example's own type error, or the class's: one finding
        assert _codes([{"id": example}], {"$[*].id": decimal}) == [
            ("response.body.incompatible", f"{at}.id")
        ]
    many = {"matchers": [{"match": "type", "min": 2}]}
    assert _codes([{"id": 1}, {"id": 2}], {"$": many}) == [
        ("response.body.narrower", "[root].interactions[0].response.body")
    ]
