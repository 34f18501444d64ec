"""Stateful mode: collections inferred from paths; create, read, update, delete, list, reset."""

from __future__ import annotations

import re

from accord.core import Contract
from accord.mock._state import Role, infer_roles
from tests.mock.conftest import ClientFactory, tiny

AUTH = {"Authorization": "Bearer anything"}
ORDER = {
    "customer_id": "cus_AAAAbbbb1234",
    "customer_email": "grace@example.com",
    "currency": "GBP",
    "lines": [{"product_id": "prd_7Hx2Kq9LmN4p", "quantity": 3}],
    "payment_token": "tok_visa4242AbCdEf",
}
PET = {"type": "object", "required": ["id", "name"], "properties": {
    "id": {"type": "string", "format": "uuid", "readOnly": True},
    "name": {"type": "string", "minLength": 1},
    "age": {"type": "integer", "minimum": 0},
}}  # fmt: skip
PETS = tiny(
    {
        "/pets": {
            "get": {"parameters": [
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["data", "next"], "properties": {
                        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
                        "next": {"type": "string", "nullable": True}}}}}}}},
            "post": {"requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Pet"}}}},
                "responses": {"201": {"description": "made",
                                      "headers": {"Location": {"schema": {"type": "string"}}},
                                      "content": {"application/json": {
                                          "schema": {"$ref": "#/components/schemas/Pet"}}}}}},
        },
        "/pets/{petId}": {
            "parameters": [{"name": "petId", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "get": {"responses": {
                "200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Pet"}}}},
                "404": {"description": "missing"}}},
            "put": {"requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Pet"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Pet"}}}}}},
            "delete": {"responses": {"204": {"description": "gone"}}},
        },
    },
    {"schemas": {"Pet": PET}},
)  # fmt: skip


def test_roles_are_inferred_from_path_shapes(shop: dict[str, Contract]) -> None:
    roles = infer_roles(shop["orders"])
    assert roles == {
        ("post", "/orders"): Role("create", "orderId"),
        ("get", "/orders"): Role("list", "orderId"),
        ("get", "/orders/{orderId}"): Role("read", "orderId"),
    }
    catalog = infer_roles(shop["catalog"])
    assert catalog[("patch", "/products/{productId}")] == Role("update", "productId")
    assert ("get", "/products/{productId}/stock") not in catalog  # a sub-resource, not an item


def test_create_then_read_then_list(client: ClientFactory, shop: dict[str, Contract]) -> None:
    mock = client(shop["orders"], stateful=True)
    assert mock.get("/orders", headers=AUTH).json() == {"items": [], "next_cursor": None}
    made = mock.post("/orders", json=ORDER, headers=AUTH)
    assert made.status_code == 201
    order = made.json()
    assert re.fullmatch(r"ord_[A-Za-z0-9]{8,32}", order["id"])
    assert order["customer_id"] == ORDER["customer_id"] and order["currency"] == "GBP"
    assert made.headers["location"] == f"/orders/{order['id']}"
    assert mock.get(f"/orders/{order['id']}", headers=AUTH).json() == order
    missing = mock.get("/orders/ord_Nothing0000", headers=AUTH)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert mock.get("/orders", headers=AUTH).json()["items"] == [order]


def test_lists_paginate(client: ClientFactory, shop: dict[str, Contract]) -> None:
    mock = client(shop["orders"], stateful=True)
    ids = [mock.post("/orders", json=ORDER, headers=AUTH).json()["id"] for _ in range(5)]
    assert len(set(ids)) == 5
    first = mock.get("/orders?limit=2", headers=AUTH).json()
    assert [o["id"] for o in first["items"]] == ids[:2] and first["next_cursor"]
    second = mock.get(f"/orders?limit=2&cursor={first['next_cursor']}", headers=AUTH).json()
    third = mock.get(f"/orders?limit=2&cursor={second['next_cursor']}", headers=AUTH).json()
    assert [o["id"] for o in second["items"] + third["items"]] == ids[2:]
    assert third["next_cursor"] is None


def test_update_replace_delete(client: ClientFactory) -> None:
    mock = client(PETS, stateful=True)
    pet = mock.post("/pets", json={"name": "Rex", "age": 3}).json()
    assert pet["name"] == "Rex" and pet["age"] == 3
    renamed = mock.put(f"/pets/{pet['id']}", json={"name": "Max"}).json()
    assert renamed == {**pet, "name": "Max"}
    assert mock.get(f"/pets/{pet['id']}").json()["name"] == "Max"
    page = mock.get("/pets").json()
    assert page == {"data": [renamed], "next": None}
    assert mock.delete(f"/pets/{pet['id']}").status_code == 204
    assert mock.get(f"/pets/{pet['id']}").status_code == 404
    assert mock.delete(f"/pets/{pet['id']}").status_code == 404


def test_patch_updates_in_the_catalog(client: ClientFactory, shop: dict[str, Contract]) -> None:
    mock = client(shop["catalog"], stateful=True)
    product = {"sku": "MUG-001", "name": "Mug", "category": "kitchen",
               "price": {"amount": 1450, "currency": "EUR"}}  # fmt: skip
    made = mock.post("/products", json=product, headers=AUTH)
    assert made.status_code == 201, made.text
    ident = made.json()["id"]
    patched = mock.patch(f"/products/{ident}", json={"name": "Big mug"}, headers=AUTH)
    assert patched.status_code == 200, patched.text
    assert mock.get(f"/products/{ident}", headers=AUTH).json()["name"] == "Big mug"
    assert made.json()["sku"] == "MUG-001" and made.json()["price"]["amount"] == 1450


def test_reset_forgets_everything(client: ClientFactory) -> None:
    mock = client(PETS, stateful=True)
    mock.post("/pets", json={"name": "Rex"})
    assert len(mock.get("/pets").json()["data"]) == 1
    assert mock.post("/__accord/reset").status_code == 204
    assert mock.get("/pets").json()["data"] == []


def test_prefer_bypasses_the_state(client: ClientFactory, shop: dict[str, Contract]) -> None:
    mock = client(shop["orders"], stateful=True)
    canned = mock.get("/orders/ord_Q4m8TzR2vW6y", headers={**AUTH, "Prefer": "code=200"})
    assert canned.status_code == 200 and canned.json()["id"] == "ord_Q4m8TzR2vW6y"


def test_states_are_per_app(client: ClientFactory) -> None:
    first, second = client(PETS, stateful=True), client(PETS, stateful=True)
    first.post("/pets", json={"name": "Rex"})
    assert second.get("/pets").json()["data"] == []
