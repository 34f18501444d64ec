"""Routing, security and request validation: every bad request is a 4xx problem, never a 500."""

from __future__ import annotations

import json

import pytest

from accord.core import Contract
from accord.mock import MockApp, MockConfig
from tests.mock.conftest import ClientFactory, tiny
from tests.mock.helpers import mock_client

AUTH = {"Authorization": "Bearer anything"}
ORDER = {
    "customer_id": "cus_9dLw3Rt7Yb2e",
    "currency": "EUR",
    "lines": [{"product_id": "prd_7Hx2Kq9LmN4p", "quantity": 2}],
    "payment_token": "tok_visa4242AbCdEf",
}


def _problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    doc: dict[str, object] = json.loads(response.content)
    assert doc["status"] == status and doc["title"] and doc["type"] == "about:blank"
    return doc


def test_an_unknown_path_is_404(client: ClientFactory, shop: dict[str, Contract]) -> None:
    doc = _problem(client(shop["orders"]).get("/nowhere"), 404)
    assert "/nowhere" in str(doc["detail"])


def test_a_wrong_method_is_405_with_allow(client: ClientFactory, shop: dict[str, Contract]) -> None:
    response = client(shop["orders"]).delete("/orders", headers=AUTH)
    _problem(response, 405)
    assert response.headers["allow"] == "GET, POST"


def test_a_missing_token_is_401(client: ClientFactory, shop: dict[str, Contract]) -> None:
    mock = client(shop["orders"])
    response = mock.get("/orders")
    _problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert mock.get("/orders", headers={"Authorization": "Bearer whatever"}).status_code == 200
    _problem(mock.get("/orders", headers={"Authorization": "Bearer INVALID"}), 401)


def test_api_keys_are_looked_for_where_the_scheme_says(client: ClientFactory) -> None:
    contract = tiny(
        {"/k": {"get": {"security": [{"key": []}], "responses": {"204": {"description": "ok"}}}}},
        {"securitySchemes": {"key": {"type": "apiKey", "in": "query", "name": "api_key"}}},
    )
    mock = client(contract)
    assert mock.get("/k").status_code == 401
    assert mock.get("/k?api_key=abc").status_code == 204


def test_parameters_are_typed_and_checked(client: ClientFactory, shop: dict[str, Contract]) -> None:
    mock = client(shop["orders"])
    assert mock.get("/orders?limit=5&state=confirmed", headers=AUTH).status_code == 200
    doc = _problem(mock.get("/orders?limit=abc&state=lost", headers=AUTH), 400)
    pointers = {(e["in"], e["pointer"]) for e in doc["errors"]}  # type: ignore[attr-defined]
    assert pointers == {("query", "limit"), ("query", "state")}
    doc = _problem(mock.get("/orders?limit=500", headers=AUTH), 400)
    assert "100" in json.dumps(doc["errors"])
    _problem(mock.get("/orders/not-an-id", headers=AUTH), 400)


def test_an_untyped_enum_parameter_is_read_as_the_type_of_its_values(
    client: ClientFactory,
) -> None:
    """``enum: ["true", "false"]`` with no ``type`` (Vercel's flags): ``?flag=true`` is the
    string it lists, not a boolean; ``enum: [1, 2]`` reads ``?level=2`` as an integer."""
    params = [
        {"name": "flag", "in": "query", "schema": {"enum": ["true", "false"]}},
        {"name": "level", "in": "query", "schema": {"enum": [1, 2]}},
        {"name": "mode", "in": "header", "schema": {"const": "0"}},
    ]
    ok = {"204": {"description": "ok"}}
    mock = client(tiny({"/f": {"get": {"parameters": params, "responses": ok}}}))
    assert mock.get("/f?flag=true&level=2", headers={"mode": "0"}).status_code == 204
    doc = _problem(mock.get("/f?flag=yes&level=3", headers={"mode": "1"}), 400)
    pointers = {(e["in"], e["pointer"]) for e in doc["errors"]}  # type: ignore[attr-defined]
    assert pointers == {("query", "flag"), ("query", "level"), ("header", "mode")}


def test_required_headers_are_checked(client: ClientFactory, shop: dict[str, Contract]) -> None:
    mock = client(shop["payments"])
    body = {"amount": 5, "currency": "EUR", "order_id": "ord_Q4m8TzR2vW6y",
            "payment_token": "tok_visa4242AbCdEf"}  # fmt: skip
    doc = _problem(mock.post("/charges", json=body, headers=AUTH), 400)
    assert doc["errors"] == [
        {
            "pointer": "Idempotency-Key",
            "in": "header",
            "message": "required header parameter is missing",
        }
    ]
    ok = mock.post("/charges", json=body, headers={**AUTH, "Idempotency-Key": "key-12345678"})
    assert ok.status_code == 201


def test_a_valid_body_is_accepted(client: ClientFactory, shop: dict[str, Contract]) -> None:
    response = client(shop["orders"]).post("/orders", json=ORDER, headers=AUTH)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"


def test_body_errors_are_listed_with_pointers(
    client: ClientFactory, shop: dict[str, Contract]
) -> None:
    bad = {**ORDER, "lines": [{"product_id": "prd_7Hx2Kq9LmN4p", "quantity": 0}], "extra": 1}
    doc = _problem(client(shop["orders"]).post("/orders", json=bad, headers=AUTH), 400)
    pointers = {e["pointer"] for e in doc["errors"]}  # type: ignore[attr-defined]
    assert pointers == {"/lines/0/quantity", ""}


@pytest.mark.parametrize("number", ["-9223372036854775809", "9223372036854775808", "1" * 30])
def test_integers_past_64_bits_stay_exact_integers(client: ClientFactory, number: str) -> None:
    """A fast JSON reader would turn these into floats that pass an int64 check."""
    schema = {"type": "object", "properties": {"id": {"type": "integer", "format": "int64"}}}
    contract = tiny(
        {
            "/things": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": schema}}},
                    "responses": {"204": {"description": "ok"}, "400": {"description": "bad"}},
                }
            }
        }
    )
    mock = client(contract)
    headers = {"content-type": "application/json"}
    bad = mock.post("/things", content=f'{{"id": {number}}}'.encode(), headers=headers)
    assert bad.status_code == 400
    assert "outside the int64 range" in bad.text
    fine = mock.post("/things", content=b'{"id": -9223372036854775808}', headers=headers)
    assert fine.status_code == 204


@pytest.mark.parametrize(
    ("content", "content_type", "status", "detail"),
    [
        (b"{", "application/json", 400, "not valid JSON"),
        (b"\xef\xbb\xbf{}", "application/json", 400, "BOM"),
        (b'{"a": NaN}', "application/json", 400, "not valid JSON"),
        (b'"\xff\xfe"', "application/json", 400, "not valid UTF-8"),
        (b"[" * 2000 + b"]" * 2000, "application/json", 400, "nests deeper"),
        (b'{"a":' * 100 + b"1" + b"}" * 100, "application/json", 400, "nests deeper"),
        (b"<order/>", "application/xml", 415, "application/json"),
        (b"x" * 5000, "application/json", 413, "larger than the limit"),
        (b"", "application/json", 400, "required"),
    ],
)
def test_bad_bodies_are_4xx_problems(
    client: ClientFactory,
    shop: dict[str, Contract],
    content: bytes,
    content_type: str,
    status: int,
    detail: str,
) -> None:
    mock = client(shop["orders"], max_body_bytes=4096)
    response = mock.post("/orders", content=content, headers={**AUTH, "content-type": content_type})
    assert detail in str(_problem(response, status)["detail"])


def test_a_chunked_body_over_the_limit_is_413(
    client: ClientFactory, shop: dict[str, Contract]
) -> None:
    mock = client(shop["orders"], max_body_bytes=1000)
    chunks = (b"x" * 400 for _ in range(5))
    response = mock.post(
        "/orders", content=chunks, headers={**AUTH, "content-type": "application/json"}
    )
    _problem(response, 413)


def test_validation_can_be_turned_off(client: ClientFactory, shop: dict[str, Contract]) -> None:
    mock = client(shop["orders"], validate=False)
    assert mock.post("/orders", json={"nonsense": True}, headers=AUTH).status_code == 201
    assert mock.get("/orders?limit=abc", headers=AUTH).status_code == 200
    response = mock.post(
        "/orders", content=b"{", headers={**AUTH, "content-type": "application/json"}
    )
    assert response.status_code == 201
    assert mock.get("/orders").status_code == 401  # security still applies


def test_errors_use_the_documented_status(client: ClientFactory) -> None:
    """An operation that documents 422 but not 400 gets its validation errors as 422."""
    contract = tiny(
        {"/q": {"get": {
            "parameters": [{"name": "n", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "ok"}, "422": {"description": "bad"}},
        }}}
    )  # fmt: skip
    _problem(client(contract).get("/q?n=x"), 422)


def test_several_contracts_share_one_server(
    client: ClientFactory, shop: dict[str, Contract]
) -> None:
    mock = client(shop["orders"], shop["payments"], shop["catalog"])
    assert mock.get("/orders", headers=AUTH).status_code == 200
    assert mock.get("/charges", headers=AUTH).status_code == 200
    assert mock.get("/products", headers=AUTH).status_code == 200
    assert mock.get("/nowhere", headers=AUTH).status_code == 404


def test_one_log_line_per_request(shop: dict[str, Contract]) -> None:
    lines: list[str] = []
    with mock_client(MockApp([shop["orders"]], MockConfig(log=lines.append))) as mock:
        mock.get("/orders", headers=AUTH)
        mock.get("/nowhere")
    records = [json.loads(line) for line in lines]
    assert [(r["method"], r["path"], r["status"]) for r in records] == [
        ("GET", "/orders", 200),
        ("GET", "/nowhere", 404),
    ]
    assert records[0]["operation"] == "listOrders" and records[0]["ms"] >= 0


def test_exploded_cookies_are_read_one_per_item_or_property_or_joined_by_commas(
    client: ClientFactory,
) -> None:
    """OpenAPI's default cookie style (form, exploded) sends an array as one cookie per item
    and an object as one cookie per property (OpenAPI 3.2's cookie rows); many clients send
    an array once, joined by commas, and both read the same."""
    ids = {"type": "array", "items": {"type": "integer"}, "const": [1, 2]}
    rng = {
        "type": "object",
        "properties": {"lo": {"type": "integer"}, "hi": {"type": "integer"}},
        "const": {"lo": 1, "hi": 5},
    }
    op = {
        "parameters": [
            {"name": "ids", "in": "cookie", "required": True, "schema": ids},
            {"name": "range", "in": "cookie", "required": True, "schema": rng},
        ],
        "responses": {"204": {"description": "ok"}},
    }
    mock = client(tiny({"/c": {"get": op}}))
    for jar in ("ids=1; ids=2; lo=1; hi=5", "hi=5; ids=1,2; lo=1", "ids=1,2; range=lo,1,hi,5"):
        assert mock.get("/c", headers={"Cookie": jar}).status_code == 204, jar
    refused = mock.get("/c", headers={"Cookie": "ids=1; ids=3; lo=1"})
    assert refused.status_code == 400
    assert sorted(e["pointer"] for e in refused.json()["errors"]) == ["ids", "range"]
