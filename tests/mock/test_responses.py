"""How answers are chosen: Prefer, examples, generated data, and 501 when nothing fits."""

from __future__ import annotations

import json

from accord.core import Contract, Direction
from tests.mock.conftest import ClientFactory, tiny

AUTH = {"Authorization": "Bearer anything"}
CHARGE = {"amount": 5, "currency": "EUR", "order_id": "ord_Q4m8TzR2vW6y",
          "payment_token": "tok_visa4242AbCdEf"}  # fmt: skip
KEYED = {**AUTH, "Idempotency-Key": "key-12345678"}


def _valid(contract: Contract, method: str, path: str, status: str, body: object) -> bool:
    op = contract.operation(method, path)
    assert op is not None
    schema = op.responses[status].content["application/json"].schema
    assert schema is not None
    return contract.validator(schema, Direction.RESPONSE).is_valid(body)


def test_the_first_2xx_example_is_the_default(
    client: ClientFactory, shop: dict[str, Contract]
) -> None:
    response = client(shop["payments"]).post("/charges", json=CHARGE, headers=KEYED)
    assert response.status_code == 201
    assert response.json()["id"] == "ch_5Gh8Jk2Lm4Np"  # the `succeeded` example, listed first
    assert response.headers["content-type"] == "application/json"


def test_prefer_example(client: ClientFactory, shop: dict[str, Contract]) -> None:
    mock = client(shop["payments"])
    declined = mock.post("/charges", json=CHARGE, headers={**KEYED, "Prefer": "example=declined"})
    assert (declined.status_code, declined.json()["status"]) == (201, "declined")
    missing = mock.post("/charges", json=CHARGE, headers={**KEYED, "Prefer": "example=nope"})
    assert missing.status_code == 400
    assert "declined" in missing.json()["detail"] and "succeeded" in missing.json()["detail"]


def test_prefer_code(client: ClientFactory, shop: dict[str, Contract]) -> None:
    mock = client(shop["orders"])
    found = mock.get("/orders/ord_Q4m8TzR2vW6y", headers={**AUTH, "Prefer": "code=404"})
    assert found.status_code == 404
    assert found.headers["content-type"] == "application/problem+json"
    assert found.json()["title"] == "Not Found"
    undocumented = mock.get("/orders/ord_Q4m8TzR2vW6y", headers={**AUTH, "Prefer": "code=418"})
    assert undocumented.status_code == 400 and "418" in undocumented.json()["detail"]
    both = mock.post(
        "/orders/ord_Q4m8TzR2vW6y/cancel", headers={**AUTH, "Prefer": "code=409, example=x"}
    )
    assert both.status_code == 400  # the 409 response has no example named x


def test_prefer_dynamic_generates_valid_varied_data(
    client: ClientFactory, shop: dict[str, Contract]
) -> None:
    mock = client(shop["orders"], seed=5)
    static = mock.get("/orders/ord_Q4m8TzR2vW6y", headers=AUTH).json()
    drawn = [
        mock.get("/orders/ord_Q4m8TzR2vW6y", headers={**AUTH, "Prefer": "dynamic=true"}).json()
        for _ in range(4)
    ]
    assert all(_valid(shop["orders"], "get", "/orders/{orderId}", "200", d) for d in drawn)
    assert static not in drawn and len({json.dumps(d) for d in drawn}) == 4
    again = client(shop["orders"], seed=5)
    replay = again.get("/orders/ord_Q4m8TzR2vW6y", headers={**AUTH, "Prefer": "dynamic=true"})
    assert replay.json() == drawn[0]  # the same seed gives the same answers


def test_data_is_generated_when_there_is_no_example(client: ClientFactory) -> None:
    contract = tiny(
        {"/users/{id}": {"get": {
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "responses": {"200": {
                "description": "ok",
                "headers": {"X-Rate": {"required": True, "schema": {"type": "integer",
                                                                      "minimum": 3}}},
                "content": {"application/json": {"schema": {
                    "type": "object", "required": ["id", "email", "tags"],
                    "properties": {
                        "id": {"type": "string", "pattern": "^usr_[0-9a-f]{6}$"},
                        "email": {"type": "string", "format": "email"},
                        "tags": {"type": "array", "minItems": 1,
                                 "items": {"type": "string", "enum": ["x", "y"]}},
                    }}}},
            }},
        }}}
    )  # fmt: skip
    mock = client(contract, seed=1)
    response = mock.get("/users/7")
    assert response.status_code == 200
    body = response.json()
    assert _valid(contract, "get", "/users/{id}", "200", body)
    assert body["id"].startswith("usr_") and "@" in body["email"]
    assert int(response.headers["x-rate"]) >= 3
    assert mock.get("/users/8").json() == body  # precomputed, not drawn per request


def test_invalid_examples_are_not_served(client: ClientFactory) -> None:
    schema = {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}
    contract = tiny(
        {"/n": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": schema, "example": {"n": "not a number"}}}}}}}}
    )  # fmt: skip
    assert isinstance(client(contract).get("/n").json()["n"], int)


def test_501_says_what_is_missing(client: ClientFactory) -> None:
    contract = tiny(
        {"/odd": {"get": {"operationId": "getOdd", "responses": {"200": {
            "description": "ok",
            "content": {"application/json": {"schema": {"type": "string",
                                                        "pattern": "^(?=a)b$"}}},
        }}}}}
    )  # fmt: skip
    response = client(contract).get("/odd")
    assert response.status_code == 501
    assert response.headers["content-type"] == "application/problem+json"
    assert "getOdd" in response.json()["detail"] and "200" in response.json()["detail"]


def test_empty_responses_have_no_body(client: ClientFactory) -> None:
    contract = tiny({"/gone": {"delete": {"responses": {"204": {"description": "gone"}}}}})
    response = client(contract).delete("/gone")
    assert (response.status_code, response.content) == (204, b"")
    assert "content-type" not in response.headers


def test_documented_framing_headers_are_left_to_the_server(client: ClientFactory) -> None:
    """OpenAI documents ``Transfer-Encoding`` on its speech stream: a generated value beside
    the real ``Content-Length`` made the HTTP server drop the connection unanswered."""
    text = {"schema": {"type": "string"}}
    headers = {name: text for name in ("Transfer-Encoding", "Connection", "X-Request-Id")}
    ok = {"200": {"description": "ok", "headers": headers,
                  "content": {"text/plain": {"schema": {"type": "string"}}}}}  # fmt: skip
    response = client(tiny({"/s": {"get": {"responses": ok}}})).get("/s")
    assert response.status_code == 200
    assert "x-request-id" in response.headers
    assert "transfer-encoding" not in response.headers and "connection" not in response.headers
