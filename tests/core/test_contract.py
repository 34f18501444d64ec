"""The indexed contract: versions, operations, routing, responses (accord.core._contract)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord._errors import ContractError, UnsupportedVersion
from accord.core import Contract, Direction
from tests.core.helpers import WriteFile, api

SHOP = """\
    security:
      - bearer: []
    paths:
      /orders:
        get:
          operationId: listOrders
          tags: [orders]
          parameters:
            - {name: limit, in: query, schema: {type: integer, maximum: 100}}
          responses:
            '200': {description: the orders}
        post:
          operationId: createOrder
          requestBody:
            required: true
            content:
              application/json:
                schema: {type: object}
          responses:
            '201': {description: created}
      /orders/mine:
        get:
          operationId: myOrders
          responses:
            '200': {description: mine}
      /orders/{id}:
        parameters:
          - {name: id, in: path, required: true, schema: {type: string}}
          - {name: X-Trace, in: header, schema: {type: string}}
          - {name: verbose, in: query, schema: {type: boolean}}
        get:
          operationId: getOrder
          summary: One order
          parameters:
            - {name: verbose, in: query, required: true, schema: {type: string}}
          responses:
            '200': {description: ok}
            4XX: {description: client error}
            default: {description: anything else}
        delete:
          operationId: cancelOrder
          deprecated: true
          security: []
          x-audit: true
          responses:
            '204': {description: gone}
      /health:
        get:
          operationId: health
          security:
            - apiKey: []
            - bearer: [read, write]
          responses:
            '200': {description: up}
    components:
      securitySchemes:
        bearer: {type: http, scheme: bearer}
        apiKey: {$ref: '#/components/x-schemes/key'}
      x-schemes:
        key: {type: apiKey, in: header, name: X-Key}
    """


@pytest.fixture
def shop(write: WriteFile) -> Contract:
    return Contract.from_path(write("shop.yaml", api(SHOP)))


# versions -------------------------------------------------------------------------------


def test_swagger_2_is_unsupported_and_says_swagger(write: WriteFile) -> None:
    path = write("old.yaml", "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n")
    with pytest.raises(UnsupportedVersion, match=r"Swagger 2\.0") as info:
        Contract.from_path(path)
    assert info.value.location is not None
    assert info.value.location.line == 1
    assert info.value.location.pointer == "/swagger"


@pytest.mark.parametrize("version", ["3.2.0", "4.0.0", "2.0.0", "3.0", "3.1"])
def test_other_openapi_versions_are_unsupported(write: WriteFile, version: str) -> None:
    path = write("api.yaml", f"info: {{title: t, version: '1'}}\nopenapi: {version}\npaths: {{}}\n")
    with pytest.raises(UnsupportedVersion, match="not supported") as info:
        Contract.from_path(path)
    assert info.value.location is not None
    assert info.value.location.line == 2


@pytest.mark.parametrize("text", ["info: {title: t}\npaths: {}\n", "- a\n- b\n", "just text\n"])
def test_document_without_openapi_field_is_unsupported(write: WriteFile, text: str) -> None:
    with pytest.raises(UnsupportedVersion, match="not an OpenAPI document"):
        Contract.from_path(write("api.yaml", text))


@pytest.mark.parametrize("version", ["3.0.0", "3.0.3", "3.1.0", "3.1.1"])
def test_openapi_30_and_31_are_accepted(write: WriteFile, version: str) -> None:
    head = f"openapi: {version}\ninfo: {{title: Shop API, version: '1'}}\n"
    contract = Contract.from_path(write("api.yaml", api("paths: {}\n", head=head)))
    assert contract.version == version
    assert contract.openapi30 is version.startswith("3.0")
    assert contract.title == "Shop API"
    assert contract.operations == ()


def test_paths_that_is_not_a_mapping_is_a_contract_error(write: WriteFile) -> None:
    with pytest.raises(ContractError, match="`paths` must be a mapping"):
        Contract.from_path(write("api.yaml", api("paths: [a, b]\n")))


# the operations index -------------------------------------------------------------------


def test_operations_are_indexed_by_method_and_path(shop: Contract) -> None:
    keys = sorted(op.key for op in shop.operations)
    assert keys == [
        "DELETE /orders/{id}",
        "GET /health",
        "GET /orders",
        "GET /orders/mine",
        "GET /orders/{id}",
        "POST /orders",
    ]
    op = shop.operation("GET", "/orders/{id}")
    assert op is not None
    assert (op.method, op.path, op.operation_id, op.summary) == (
        "get",
        "/orders/{id}",
        "getOrder",
        "One order",
    )
    assert shop.operation_by_id("createOrder") is shop.operation("post", "/orders")
    assert shop.operation("patch", "/orders") is None
    assert shop.operation_by_id("nope") is None


def test_operation_without_id_is_named_by_method_and_path(write: WriteFile) -> None:
    text = api("paths:\n  /a:\n    put:\n      responses: {'200': {description: ok}}\n")
    op = Contract.from_path(write("api.yaml", text)).operations[0]
    assert op.operation_id is None
    assert op.name == "PUT /a"


def test_path_level_and_operation_level_parameters_merge(shop: Contract) -> None:
    op = shop.operation("get", "/orders/{id}")
    assert op is not None
    assert sorted(p.key for p in op.parameters) == [
        ("header", "x-trace"),
        ("path", "id"),
        ("query", "verbose"),
    ]
    verbose = op.parameter("query", "verbose")
    assert verbose is not None
    # the operation-level definition overrides the path-level one
    assert verbose.required is True
    assert verbose.schema is not None and verbose.schema.value == {"type": "string"}
    assert "/get/parameters/0" in verbose.place.pointer
    path_id = op.parameter("path", "id")
    assert path_id is not None and path_id.required is True
    assert op.parameter("header", "x-trace") is op.parameter("header", "X-Trace") is not None

    delete = shop.operation("delete", "/orders/{id}")
    assert delete is not None
    inherited = delete.parameter("query", "verbose")
    assert inherited is not None and inherited.required is False


def test_parameter_defaults_for_style_and_explode(shop: Contract) -> None:
    op = shop.operation("get", "/orders/{id}")
    assert op is not None
    query = op.parameter("query", "verbose")
    path = op.parameter("path", "id")
    assert query is not None and path is not None
    assert (query.style, query.explode) == ("form", True)
    assert (path.style, path.explode) == ("simple", False)


def test_request_body_and_responses_are_indexed(shop: Contract) -> None:
    create = shop.operation_by_id("createOrder")
    assert create is not None and create.request_body is not None
    assert create.request_body.required is True
    assert list(create.request_body.content) == ["application/json"]
    assert list(create.responses) == ["201"]
    assert create.responses["201"].description == "created"

    get = shop.operation_by_id("getOrder")
    assert get is not None
    assert get.request_body is None
    assert list(get.responses) == ["200", "4XX", "default"]


def test_effective_security_global_vs_operation_level(shop: Contract) -> None:
    listing = shop.operation_by_id("listOrders")
    cancel = shop.operation_by_id("cancelOrder")
    health = shop.operation_by_id("health")
    assert listing is not None and cancel is not None and health is not None
    assert listing.security == ({"bearer": ()},)  # inherited from the top level
    assert cancel.security == ()  # `security: []` means anonymous
    assert health.security == ({"apiKey": ()}, {"bearer": ("read", "write")})


def test_operation_flags_tags_and_extensions(shop: Contract) -> None:
    cancel = shop.operation_by_id("cancelOrder")
    listing = shop.operation_by_id("listOrders")
    assert cancel is not None and listing is not None
    assert cancel.deprecated is True and listing.deprecated is False
    assert cancel.extensions == {"x-audit": True}
    assert listing.tags == ("orders",)


def test_security_schemes_follow_refs(shop: Contract) -> None:
    schemes = shop.security_schemes
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer"}
    assert schemes["apiKey"] == {"type": "apiKey", "in": "header", "name": "X-Key"}


def test_operation_place_locates_in_the_file(shop: Contract) -> None:
    op = shop.operation_by_id("getOrder")
    assert op is not None
    assert op.place.pointer == "/paths/~1orders~1{id}/get"
    loc = op.place.locate()
    assert loc.file.endswith("shop.yaml")
    assert loc.line == 33  # `get:` of /orders/{id}


def test_path_item_ref_is_followed(write: WriteFile) -> None:
    write(
        "items.yaml",
        "Ping:\n  get:\n    operationId: ping\n    responses: {'200': {description: ok}}\n",
    )
    contract = Contract.from_path(
        write("api.yaml", api("paths:\n  /ping: {$ref: 'items.yaml#/Ping'}\n"))
    )
    op = contract.operation("get", "/ping")
    assert op is not None
    assert op.operation_id == "ping"
    assert op.place.file.path.name == "items.yaml"
    assert op.place.pointer == "/Ping/get"


# routing --------------------------------------------------------------------------------


def test_match_routes_a_concrete_path_and_extracts_params(shop: Contract) -> None:
    found = shop.match("GET", "/orders/ord_1")
    assert found is not None
    assert found.operation.operation_id == "getOrder"
    assert dict(found.path_params) == {"id": "ord_1"}


def test_match_literal_beats_parameter(shop: Contract) -> None:
    found = shop.match("get", "/orders/mine")
    assert found is not None
    assert found.operation.operation_id == "myOrders"
    assert dict(found.path_params) == {}


def test_match_accepts_a_trailing_slash(shop: Contract) -> None:
    found = shop.match("GET", "/orders/ord_1/")
    assert found is not None
    assert dict(found.path_params) == {"id": "ord_1"}
    listing = shop.match("GET", "/orders/")
    assert listing is not None and listing.operation.operation_id == "listOrders"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nope"), ("GET", "/orders/a/b"), ("PATCH", "/orders/ord_1"), ("GET", "orders")],
)
def test_match_returns_none_without_an_operation(shop: Contract, method: str, path: str) -> None:
    assert shop.match(method, path) is None


def test_allowed_methods(shop: Contract) -> None:
    assert shop.allowed_methods("/orders/ord_1") == ["GET", "DELETE"]
    assert shop.allowed_methods("/orders") == ["GET", "POST"]
    assert shop.allowed_methods("/orders/mine") == ["GET"]
    assert shop.allowed_methods("/nope") == []


# responses ------------------------------------------------------------------------------


def test_response_falls_back_to_range_then_default(shop: Contract) -> None:
    op = shop.operation_by_id("getOrder")
    assert op is not None
    exact, ranged, default = op.response(200), op.response(404), op.response(500)
    assert exact is not None and exact.status == "200"
    assert ranged is not None and ranged.status == "4XX"
    assert default is not None and default.status == "default"
    assert op.response("418") is ranged


def test_response_without_match_or_default_is_none(shop: Contract) -> None:
    op = shop.operation_by_id("cancelOrder")
    assert op is not None
    assert op.response(204) is not None
    assert op.response(404) is None


def test_response_headers_are_keyed_lower_case(write: WriteFile) -> None:
    text = api(
        """\
        paths:
          /a:
            get:
              responses:
                '200':
                  description: ok
                  headers:
                    X-Rate-Limit: {required: true, schema: {type: integer}}
        """
    )
    op = Contract.from_path(write("api.yaml", text)).operations[0]
    header = op.responses["200"].headers["x-rate-limit"]
    assert header.name == "X-Rate-Limit"
    assert header.required is True
    assert header.schema is not None and header.schema.value == {"type": "integer"}


def test_examples_are_collected_with_their_places(write: WriteFile) -> None:
    text = api(
        """\
        paths:
          /a:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {type: integer}
                      example: 1
                      examples:
                        two: {value: 2}
                        shared: {$ref: '#/components/examples/Three'}
                        far: {externalValue: 'https://example.com/4.json'}
        components:
          examples:
            Three: {value: 3}
        """
    )
    op = Contract.from_path(write("api.yaml", text)).operations[0]
    examples = op.responses["200"].content["application/json"].examples
    assert [(e.name, e.value, e.external) for e in examples] == [
        ("", 1, None),
        ("two", 2, None),
        ("shared", 3, None),
        ("far", None, "https://example.com/4.json"),
    ]
    assert examples[2].place.pointer == "/components/examples/Three/value"


# construction ---------------------------------------------------------------------------


def test_from_dict_builds_a_working_contract() -> None:
    contract = Contract.from_dict(
        {
            "openapi": "3.1.0",
            "info": {"title": "mem", "version": "1"},
            "paths": {
                "/items/{id}": {
                    "get": {
                        "parameters": [
                            {
                                "name": "id",
                                "in": "path",
                                "required": True,
                                "schema": {"type": "integer"},
                            }
                        ],
                        "responses": {"200": {"description": "ok"}},
                    }
                }
            },
        }
    )
    found = contract.match("GET", "/items/7")
    assert found is not None
    param = found.operation.parameter("path", "id")
    assert param is not None and param.schema is not None
    validator = contract.validator(param.schema, Direction.REQUEST)
    assert validator.is_valid(7)
    assert not validator.is_valid("seven")


def test_compile_all_compiles_every_schema(shop: Contract) -> None:
    # limit, id, X-Trace, verbose (x2 for getOrder / cancelOrder), request body
    assert shop.compile_all() == 8
    assert len(list(shop.schemas())) == 8


def test_contract_accepts_json_documents(write: WriteFile, tmp_path: Path) -> None:
    path = write(
        "api.json",
        '{"openapi": "3.0.3", "info": {"title": "j", "version": "1"},\n'
        ' "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}',
    )
    contract = Contract.from_path(path)
    assert contract.root.format == "json"
    op = contract.operation("get", "/a")
    assert op is not None
    assert op.place.locate().line == 2
    assert contract.root.path.parent == tmp_path


def test_schemas_written_alike_share_one_compiled_validator() -> None:
    # compiling is the costly part of a large contract's first answers: operations answering
    # the same `$ref` (or the same inline schema) get one validator, per direction
    pet = {"$ref": "#/components/schemas/Pet"}
    contract = Contract.from_dict(
        {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                path: {
                    "get": {
                        "responses": {
                            "200": {
                                "description": "ok",
                                "content": {"application/json": {"schema": schema}},
                            }
                        }
                    }
                }
                for path, schema in (("/a", pet), ("/b", dict(pet)), ("/c", {"type": "string"}))
            },
            "components": {
                "schemas": {
                    "Pet": {
                        "type": "object",
                        "required": ["id"],
                        "properties": {"id": {"type": "integer"}},
                    }
                }
            },
        }
    )
    a, b, c = (
        contract.validator(s, direction)
        for s, direction in contract.schemas()
        if direction is Direction.RESPONSE
    )
    assert a is b
    assert c is not a
    assert not a.is_valid({"id": "x"}) and a.is_valid({"id": 1}) and c.is_valid("x")
    first = next(s for s, _ in contract.schemas())
    request = contract.validator(first, Direction.REQUEST)
    assert request is not a and request.is_valid({"id": 1})
