"""``$ref`` resolution across the local files of one contract (accord.core._refs)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from accord._errors import RefError
from accord.core import Contract, Direction, load_source
from accord.core._refs import DocumentSet, iter_refs
from tests.core.helpers import WriteFile, api


@pytest.fixture
def multi_file(write: WriteFile) -> Path:
    """An API whose bodies live in schemas/, which itself refers to schemas/common/."""
    write(
        "schemas/order.yaml",
        """\
        Order:
          type: object
          required: [id, total]
          properties:
            id: {type: string}
            total: {$ref: 'common/money.yaml#/Money'}
        NewOrder:
          type: object
          required: [total]
          properties:
            total: {$ref: 'common/money.yaml#/Money'}
        """,
    )
    write("schemas/common/money.yaml", "Money: {type: integer, minimum: 0}\n")
    return write(
        "api.yaml",
        api(
            """\
        paths:
          /orders:
            post:
              operationId: createOrder
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: 'schemas/order.yaml#/NewOrder'}
              responses:
                '201':
                  description: created
                  content:
                    application/json:
                      schema: {$ref: 'schemas/order.yaml#/Order'}
        """
        ),
    )


def test_refs_to_other_files_in_nested_dirs_resolve(multi_file: Path) -> None:
    contract = Contract.from_path(multi_file)
    names = sorted(f.path.name for f in contract.files)
    assert names == ["api.yaml", "money.yaml", "order.yaml"]
    assert contract.ref_count == 4  # 2 in api.yaml, 2 in order.yaml


def test_operation_bodies_from_another_file_validate_across_files(multi_file: Path) -> None:
    contract = Contract.from_path(multi_file)
    op = contract.operation_by_id("createOrder")
    assert op is not None and op.request_body is not None
    assert op.request_body.required is True
    request = contract.validator(
        op.request_body.content["application/json"].schema, Direction.REQUEST
    )
    assert request.is_valid({"total": 5})
    assert [v.pointer for v in request.violations({"total": -1})] == ["/total"]

    created = op.response(201)
    assert created is not None
    response = contract.validator(created.content["application/json"].schema)
    assert response.is_valid({"id": "o1", "total": 0})
    assert not response.is_valid({"id": "o1"})
    assert [v.pointer for v in response.violations({"id": "o1", "total": "lots"})] == ["/total"]


def test_document_set_resolve_returns_target_in_other_file(multi_file: Path) -> None:
    docs = DocumentSet(load_source(multi_file))
    target = docs.resolve("schemas/order.yaml#/Order/required", docs.root, "/x")
    assert target.file.path.name == "order.yaml"
    assert target.pointer == "/Order/required"
    assert target.value == ["id", "total"]
    assert target.uri.endswith("schemas/order.yaml#/Order/required")
    assert target.locate().line == 3
    assert "order.yaml" in [f.path.name for f in docs]


# errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref", ["https://example.com/s.json#/A", "http://example.com/s.yaml", "//example.com/s.yaml"]
)
def test_remote_ref_is_refused_with_the_refs_line(write: WriteFile, ref: str) -> None:
    path = write(
        "api.yaml",
        api(
            f"""\
        paths: {{}}
        components:
          schemas:
            A:
              $ref: '{ref}'
        """
        ),
    )
    with pytest.raises(RefError, match="remote") as info:
        Contract.from_path(path)
    loc = info.value.location
    assert loc is not None
    assert loc.line == 7
    assert loc.pointer == "/components/schemas/A/$ref"


def test_missing_file_ref_is_a_ref_error(write: WriteFile) -> None:
    path = write(
        "api.yaml",
        api("paths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'nope.yaml#/A'}\n"),
    )
    with pytest.raises(RefError, match="does not exist") as info:
        Contract.from_path(path)
    assert info.value.location is not None
    assert info.value.location.line == 6


def test_ref_to_unparseable_file_is_a_ref_error(write: WriteFile) -> None:
    write("broken.yaml", "a: [1, 2\n")
    path = write(
        "api.yaml",
        api("paths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'broken.yaml#/a'}\n"),
    )
    with pytest.raises(RefError, match="malformed YAML"):
        Contract.from_path(path)


@pytest.mark.parametrize(
    "ref", ["#/components/schemas/B", "other.yaml#/Missing", "other.yaml#/Thing/properties/x"]
)
def test_dangling_pointer_is_a_ref_error(write: WriteFile, ref: str) -> None:
    write("other.yaml", "Thing: {type: object}\n")
    path = write(
        "api.yaml",
        api(f"paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '{ref}'}}\n"),
    )
    with pytest.raises(RefError, match="points nowhere") as info:
        Contract.from_path(path)
    assert info.value.location is not None
    assert info.value.location.line == 6


def test_plain_name_fragment_is_a_ref_error(write: WriteFile) -> None:
    path = write("api.yaml", api("paths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#Thing'}\n"))
    with pytest.raises(RefError, match="JSON pointer"):
        Contract.from_path(path)


def test_pure_ref_cycle_is_a_ref_error(write: WriteFile) -> None:
    path = write(
        "api.yaml",
        api(
            """\
        paths: {}
        components:
          schemas:
            A: {$ref: '#/components/schemas/B'}
            B: {$ref: '#/components/schemas/A'}
        """
        ),
    )
    with pytest.raises(RefError, match="cycle"):
        Contract.from_path(path)


def test_self_ref_is_a_ref_error(write: WriteFile) -> None:
    path = write(
        "api.yaml",
        api("paths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/A'}\n"),
    )
    with pytest.raises(RefError, match="cycle"):
        Contract.from_path(path)


def test_cross_file_ref_cycle_is_a_ref_error(write: WriteFile) -> None:
    write("b.yaml", "B: {$ref: 'api.yaml#/components/schemas/A'}\n")
    path = write(
        "api.yaml",
        api("paths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'b.yaml#/B'}\n"),
    )
    with pytest.raises(RefError, match="cycle"):
        Contract.from_path(path)


# recursion and data ---------------------------------------------------------------------


def test_recursive_schema_is_fine_and_validates_nested_instances(write: WriteFile) -> None:
    path = write(
        "api.yaml",
        api(
            """\
        paths:
          /tree:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/Node'}
        components:
          schemas:
            Node:
              type: object
              required: [name]
              properties:
                name: {type: string}
                children:
                  type: array
                  items: {$ref: '#/components/schemas/Node'}
        """
        ),
    )
    contract = Contract.from_path(path)
    ok = contract.operation("get", "/tree")
    assert ok is not None
    response = ok.response(200)
    assert response is not None
    validator = contract.validator(response.content["application/json"].schema)
    tree = {"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}
    assert validator.is_valid(tree)
    bad = {"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]}
    assert [v.pointer for v in validator.violations(bad)] == ["/children/0/children/0/name"]


def test_ref_inside_example_values_is_not_a_reference(write: WriteFile) -> None:
    path = write(
        "api.yaml",
        api(
            """\
        paths:
          /a:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/A'}
                      example: {$ref: 'https://example.com/not-a-ref'}
                      examples:
                        one:
                          value: {$ref: 'missing.yaml#/nowhere'}
        components:
          schemas:
            A:
              type: object
              example: {$ref: '#/does/not/exist'}
              default: {$ref: 'nope.yaml'}
              enum: [{$ref: 'nope.yaml'}]
        """
        ),
    )
    contract = Contract.from_path(path)
    assert contract.ref_count == 1  # only the schema's $ref
    op = contract.operation("get", "/a")
    assert op is not None
    media = op.responses["200"].content["application/json"]
    assert {e.name: e.value for e in media.examples} == {
        "": {"$ref": "https://example.com/not-a-ref"},
        "one": {"$ref": "missing.yaml#/nowhere"},
    }


def test_iter_refs_reports_paths_to_each_ref() -> None:
    data = {
        "a": {"$ref": "#/x"},
        "b": [{"$ref": "f.yaml"}],
        "example": {"$ref": "#/ignored"},
        "x-ext": {"$ref": "#/ignored"},
    }
    found = sorted((tuple(path), ref) for path, ref in iter_refs(data))
    assert found == [(("a", "$ref"), "#/x"), (("b", 0, "$ref"), "f.yaml")]


# refs under keys that only look like data keys --------------------------------------------

REMOTE = "https://example.com/schemas.json#/Thing"


@pytest.mark.parametrize(
    "responses",
    [
        # the `default` response of an operation
        f"""\
                default:
                  description: error
                  content:
                    application/json:
                      schema: {{$ref: '{REMOTE}'}}
        """,
        # a response header whose name starts with x- (as most custom headers do)
        f"""\
                '200':
                  description: ok
                  headers:
                    x-rate-limit:
                      schema: {{$ref: '{REMOTE}'}}
        """,
        # an object property named `default`
        f"""\
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          default: {{$ref: '{REMOTE}'}}
        """,
    ],
    ids=["default-response", "x-header", "property-named-default"],
)
def test_remote_ref_is_refused_under_keys_named_like_data(write: WriteFile, responses: str) -> None:
    paths = """\
        paths:
          /a:
            get:
              responses:
        """
    path = write("api.yaml", api(paths) + textwrap.indent(textwrap.dedent(responses), " " * 8))
    with pytest.raises(RefError, match="remote"):
        Contract.from_path(path)


def test_default_response_schema_in_another_file_validates(write: WriteFile) -> None:
    write(
        "errors.yaml",
        "Error: {type: object, required: [code], properties: {code: {type: string}}}\n",
    )
    path = write(
        "api.yaml",
        api(
            """\
        paths:
          /a:
            get:
              responses:
                default:
                  description: error
                  content:
                    application/json:
                      schema: {$ref: 'errors.yaml#/Error'}
        """
        ),
    )
    contract = Contract.from_path(path)
    assert sorted(f.path.name for f in contract.files) == ["api.yaml", "errors.yaml"]
    op = contract.operation("get", "/a")
    assert op is not None
    response = op.response(500)
    assert response is not None
    validator = contract.validator(response.content["application/json"].schema)
    assert validator.is_valid({"code": "E1"})
    assert not validator.is_valid({})
