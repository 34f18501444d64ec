"""Schema Objects as compiled JSON Schema validators (accord.core._schema)."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from accord._errors import SchemaCompileError
from accord.core import Contract, Direction, SchemaValidator, Violation
from accord.core._schema import convert_document
from tests.core.helpers import WriteFile

HEAD_30 = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
HEAD_31 = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"

#: one operation whose request and response bodies are both components/schemas/Main
PATHS = """\
paths:
  /x:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Main'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Main'}
components:
  schemas:
    Main:
"""


def _contract(write: WriteFile, main: str, head: str = HEAD_30) -> Contract:
    """A contract whose `Main` schema is ``main`` (YAML, any indentation)."""
    body = textwrap.indent(textwrap.dedent(main), " " * 6)
    return Contract.from_path(write("api.yaml", head + PATHS + body))


def _validators(contract: Contract) -> tuple[SchemaValidator, SchemaValidator]:
    """(request validator, response validator) of the single operation."""
    op = contract.operations[0]
    assert op.request_body is not None
    response = op.response(200)
    assert response is not None
    request = contract.validator(
        op.request_body.content["application/json"].schema, Direction.REQUEST
    )
    return request, contract.validator(response.content["application/json"].schema)


def _response_validator(write: WriteFile, main: str, head: str = HEAD_30) -> SchemaValidator:
    return _validators(_contract(write, main, head))[1]


# OpenAPI 3.0 ----------------------------------------------------------------------------


def test_nullable_accepts_none_in_30(write: WriteFile) -> None:
    v = _response_validator(write, "type: string\nnullable: true\n")
    assert v.is_valid(None)
    assert v.is_valid("x")
    assert not v.is_valid(1)


def test_without_nullable_none_is_rejected_in_30(write: WriteFile) -> None:
    v = _response_validator(write, "type: string\n")
    assert not v.is_valid(None)


def test_nullable_with_enum_accepts_none_and_listed_values_only(write: WriteFile) -> None:
    v = _response_validator(write, "type: string\nenum: [a, b]\nnullable: true\n")
    assert v.is_valid(None)
    assert v.is_valid("a")
    assert not v.is_valid("c")


def test_nullable_all_of_accepts_none(write: WriteFile) -> None:
    main = """\
        nullable: true
        allOf:
          - type: object
            required: [id]
        """
    v = _response_validator(write, main)
    assert v.is_valid(None)
    assert v.is_valid({"id": 1})
    assert not v.is_valid({})


def test_boolean_exclusive_minimum_in_30(write: WriteFile) -> None:
    v = _response_validator(write, "type: integer\nminimum: 0\nexclusiveMinimum: true\n")
    assert not v.is_valid(0)
    assert v.is_valid(1)
    violations = v.violations(0)
    assert [x.keyword for x in violations] == ["exclusiveMinimum"]


def test_boolean_exclusive_maximum_false_keeps_inclusive_bound(write: WriteFile) -> None:
    v = _response_validator(write, "type: integer\nmaximum: 10\nexclusiveMaximum: false\n")
    assert v.is_valid(10)
    assert not v.is_valid(11)


def test_ref_siblings_are_ignored_in_30(write: WriteFile) -> None:
    text = HEAD_30 + PATHS + "      $ref: '#/components/schemas/Int'\n      maximum: 1\n"
    text += "    Int: {type: integer}\n"
    _, response = _validators(Contract.from_path(write("api.yaml", text)))
    assert response.is_valid(500)  # `maximum` next to `$ref` does not apply in 3.0
    assert not response.is_valid("x")


# readOnly / writeOnly -------------------------------------------------------------------

RW = """\
    type: object
    required: [id, password, name]
    properties:
      id: {type: string, readOnly: true}
      password: {type: string, writeOnly: true}
      name: {type: string}
    """


def test_read_only_required_property_is_not_required_in_requests(write: WriteFile) -> None:
    request, response = _validators(_contract(write, RW))
    assert request.is_valid({"password": "p", "name": "n"})
    assert not response.is_valid({"password": "p", "name": "n"})
    assert "id" in response.violations({"password": "p", "name": "n"})[0].message


def test_write_only_required_property_is_not_required_in_responses(write: WriteFile) -> None:
    request, response = _validators(_contract(write, RW))
    assert response.is_valid({"id": "1", "name": "n"})
    assert not request.is_valid({"id": "1", "name": "n"})
    assert "password" in request.violations({"id": "1", "name": "n"})[0].message


def test_plain_required_property_is_required_both_ways(write: WriteFile) -> None:
    request, response = _validators(_contract(write, RW))
    assert not request.is_valid({"password": "p"})
    assert not response.is_valid({"id": "1"})


# formats and violations -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("date-time", "2024-01-01T12:00:00Z", "yesterday"),
        ("date", "2024-01-31", "2024-13-01"),
        ("email", "ada@example.com", "not-an-email"),
        ("uuid", "fb5a885f-f7e8-4a50-950f-c1a64a94d500", "xyz"),
        ("byte", "aGVsbG8=", "not base64!"),
    ],
)
def test_formats_are_validated(write: WriteFile, fmt: str, good: str, bad: str) -> None:
    v = _response_validator(write, f"type: string\nformat: {fmt}\n")
    assert v.is_valid(good)
    assert not v.is_valid(bad)
    assert [x.keyword for x in v.violations(bad)] == ["format"]


def test_violations_point_into_the_instance(write: WriteFile) -> None:
    main = """\
        type: object
        properties:
          lines:
            type: array
            items:
              type: object
              required: [sku]
              properties:
                sku: {type: string}
                quantity: {type: integer, minimum: 1}
          a/b: {type: integer}
        """
    v = _response_validator(write, main)
    found = v.violations({"lines": [{"sku": "s", "quantity": 0}, {"quantity": 2}], "a/b": "x"})
    assert sorted(x.pointer for x in found) == ["/a~1b", "/lines/0/quantity", "/lines/1"]
    by_pointer = {x.pointer: x for x in found}
    assert by_pointer["/lines/0/quantity"].keyword == "minimum"
    assert str(by_pointer["/lines/0/quantity"]).startswith("/lines/0/quantity: ")
    assert v.violations({"lines": []}) == []


def test_violations_respect_the_limit(write: WriteFile) -> None:
    v = _response_validator(write, "type: array\nitems: {type: integer}\n")
    assert len(v.violations(["a"] * 10, limit=3)) == 3
    assert len(v.violations(["a"] * 10)) == 10


def test_violation_of_the_whole_instance_is_shown_as_root() -> None:
    assert str(Violation("", "wrong type", "type")) == "/: wrong type"


# OpenAPI 3.1 ----------------------------------------------------------------------------


def test_31_type_array_with_null(write: WriteFile) -> None:
    v = _response_validator(write, "type: [string, 'null']\n", head=HEAD_31)
    assert v.is_valid(None)
    assert v.is_valid("s")
    assert not v.is_valid(1)


def test_31_nullable_keyword_is_not_special(write: WriteFile) -> None:
    v = _response_validator(write, "type: string\nnullable: true\n", head=HEAD_31)
    assert not v.is_valid(None)


def test_31_numeric_exclusive_minimum(write: WriteFile) -> None:
    v = _response_validator(write, "type: number\nexclusiveMinimum: 0\n", head=HEAD_31)
    assert not v.is_valid(0)
    assert v.is_valid(0.5)


# caching and compile errors -------------------------------------------------------------


def test_validators_are_cached_per_schema_and_direction(write: WriteFile) -> None:
    contract = _contract(write, RW)
    op = contract.operations[0]
    assert op.request_body is not None
    schema = op.request_body.content["application/json"].schema
    assert schema is not None
    first = contract.validator(schema, Direction.REQUEST)
    assert contract.validator(schema, Direction.REQUEST) is first
    response_side = contract.validator(schema, Direction.RESPONSE)
    assert response_side is not first
    assert contract.validator(schema, Direction.RESPONSE) is response_side


@pytest.mark.parametrize(
    "main", ["type: 12\n", "type: string\npattern: '(['\n", "type: [nothing]\n"]
)
def test_uncompilable_schema_is_a_schema_compile_error_with_location(
    write: WriteFile, main: str
) -> None:
    contract = _contract(write, main)
    response = contract.operations[0].response(200)
    assert response is not None
    schema = response.content["application/json"].schema
    assert schema is not None
    with pytest.raises(SchemaCompileError, match="cannot be compiled") as info:
        contract.validator(schema)
    loc = info.value.location
    assert loc is not None
    assert loc.pointer == "/paths/~1x/post/responses/200/content/application~1json/schema"
    assert loc.line == 15  # the `schema:` of the 200 response


def test_inline_uncompilable_schema_is_located_at_itself(write: WriteFile) -> None:
    text = HEAD_30 + textwrap.dedent(
        """\
        paths:
          /x:
            get:
              parameters:
                - name: q
                  in: query
                  schema: {type: string, minLength: -1}
              responses:
                '200': {description: ok}
        """
    )
    contract = Contract.from_path(write("api.yaml", text))
    param = contract.operations[0].parameter("query", "q")
    assert param is not None and param.schema is not None
    with pytest.raises(SchemaCompileError) as info:
        contract.validator(param.schema, Direction.REQUEST)
    assert info.value.location is not None
    assert (info.value.location.line, info.value.location.column) == (9, 19)
    assert str(info.value).startswith(str(info.value.location))


def test_convert_document_rewrites_30_keywords_without_touching_the_input() -> None:
    original: dict[str, Any] = {
        "a": {"type": "integer", "nullable": True, "minimum": 1, "exclusiveMinimum": True},
        "b": {"type": "object", "required": ["id", "x"], "properties": {"id": {"readOnly": True}}},
    }
    converted = convert_document(original, openapi30=True, direction=Direction.REQUEST)
    assert converted["a"] == {"type": ["integer", "null"], "exclusiveMinimum": 1}
    assert converted["b"]["required"] == ["x"]
    # the input is copied, not changed
    assert original["a"]["nullable"] is True
    assert original["b"]["required"] == ["id", "x"]
