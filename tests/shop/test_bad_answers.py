"""orders when catalog or payments answer, but badly: a server error, a body that is not
JSON (cut short), one that breaks the dependency's contract, none at all, or an
undocumented status. The dependency may have acted on the request (the answer is spoiled
on its way back), so orders must answer a documented problem (502, or the 201 of an order
whose outcome it knows), never 500, and after recovery nothing is lost: no stock taken or
held, and no payment kept, for an order that is not confirmed."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from generated.catalog import models as catalog
from generated.catalog.client import AsyncCatalogClient
from generated.payments.client import AsyncPaymentsClient
from services.orders.app import create as create_orders
from services.orders.service import Dependencies

from tests.shop.conftest import assert_settled, build_shop, token

Answer = Callable[[httpx.Response], httpx.Response]


def _json_type(status: int, content: bytes) -> httpx.Response:
    return httpx.Response(status, content=content, headers={"content-type": "application/json"})


#: bad answers, each made from the real one
BAD: dict[str, Answer] = {
    "server error": lambda r: httpx.Response(
        500, content=b"<h1>Internal Server Error</h1>", headers={"content-type": "text/html"}
    ),
    "cut short": lambda r: _json_type(r.status_code, r.content[: len(r.content) // 2]),
    "breaks its schema": lambda r: _json_type(r.status_code, b'{"id": 5, "state": []}'),
    "no body": lambda r: _json_type(r.status_code, b""),
    "undocumented 200": lambda r: _json_type(200, b'{"title": "ok?"}'),
}

#: the calls orders makes while placing an order: (service, method, path pattern)
POINTS = {
    "get product": ("catalog", "GET", r"^/products/[^/]+$"),
    "reserve": ("catalog", "POST", r"^/reservations$"),
    "charge": ("payments", "POST", r"^/charges$"),
    "commit": ("catalog", "POST", r"^/reservations/[^/]+/commit$"),
}


class Spoiled(httpx.AsyncBaseTransport):
    """The real app; while ``on``, its answer to the matching requests is replaced by
    ``answer(real answer)`` after the app has acted on the request."""

    def __init__(self, app: Any, method: str, path: str, answer: Answer) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.method, self.path, self.answer = method, re.compile(path), answer
        self.on = True
        self.spoiled = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        if self.on and request.method == self.method and self.path.search(request.url.path):
            self.spoiled += 1
            return self.answer(response)
        return response


def _shop(tmp_path: Path, point: str, answer: Answer) -> tuple[Any, Any, Spoiled]:
    service, method, path = POINTS[point]
    base = build_shop(tmp_path)
    apps = {"catalog": base.catalog, "payments": base.payments}
    spoiled = Spoiled(apps[service], method, path, answer)

    def client(name: str) -> httpx.AsyncClient:
        transport = spoiled if name == service else httpx.ASGITransport(app=apps[name])
        return httpx.AsyncClient(transport=transport, base_url=f"http://{name}")

    deps = Dependencies(
        catalog=AsyncCatalogClient(client=client("catalog"), token=token()),
        payments=AsyncPaymentsClient(client=client("payments"), token=token()),
    )
    orders = create_orders(tmp_path / "orders.sqlite3", deps=deps, validate_responses=True)
    return base, orders, spoiled


async def _place(base: Any, orders: Any, payment_token: str) -> httpx.Response:
    product = await AsyncCatalogClient(client=base.catalog_http).create_product(
        catalog.ProductCreate.model_validate(
            {"sku": "BAD-1", "name": "Espresso cup", "category": "kitchen",
             "price": {"amount": 1299, "currency": "EUR"}, "initial_on_hand": 5}
        )
    )  # fmt: skip
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=orders, raise_app_exceptions=False),
        base_url="http://orders", headers={"Authorization": f"Bearer {token()}"},
    )  # fmt: skip
    body = {"customer_id": "cus_9dLw3Rt7Yb2e", "currency": "EUR", "payment_token": payment_token,
            "lines": [{"product_id": product.id.root, "quantity": 2}]}  # fmt: skip
    return await http.post("/orders", json=body, headers={"Idempotency-Key": "bad-answers-1"})


def _check_answer(response: httpx.Response) -> None:
    assert response.status_code in (201, 502, 503, 504), response.text
    if response.status_code != 201:
        assert response.headers["content-type"] == "application/problem+json", response.headers
        assert response.json()["status"] == response.status_code


@pytest.mark.parametrize("bad", list(BAD))
@pytest.mark.parametrize("point", list(POINTS))
def test_a_bad_answer_is_a_documented_problem_and_nothing_is_lost(
    tmp_path: Path, point: str, bad: str
) -> None:
    base, orders, spoiled = _shop(tmp_path, point, BAD[bad])

    async def scenario() -> None:
        response = await _place(base, orders, "tok_visa4242AbCdEf")
        assert spoiled.spoiled == 1, "the fault was not reached"
        _check_answer(response)
        if response.status_code != 201:  # the problem names the dependency
            assert POINTS[point][0] in response.json()["detail"], response.text
        spoiled.on = False
        await orders.orders.recover()

    asyncio.run(scenario())
    assert_settled(tmp_path / "orders.sqlite3", tmp_path / "payments.sqlite3",
                   tmp_path / "catalog.sqlite3")  # fmt: skip


@pytest.mark.parametrize("bad", ["server error", "cut short"])
def test_a_release_that_fails_keeps_the_order_until_the_stock_is_released(
    tmp_path: Path, bad: str
) -> None:
    """A declined card: orders releases the stock. When catalog cannot release it (before:
    the failure was logged, the order failed and the stock stayed held for ever), the order
    is kept unresolved and recovery releases the stock and fails it."""
    base, orders, spoiled = _shop(tmp_path, "commit", BAD[bad])
    spoiled.path = re.compile(r"^/reservations/[^/]+/release$")

    async def scenario() -> None:
        response = await _place(base, orders, "tok_declinedAbCdEf12")
        assert spoiled.spoiled == 1, "the fault was not reached"
        _check_answer(response)
        assert response.status_code == 503, response.text
        assert "unresolved" in response.json()["detail"]
        spoiled.on = False
        assert await orders.orders.recover() == 1

    asyncio.run(scenario())
    orders_db = tmp_path / "orders.sqlite3"
    assert_settled(orders_db, tmp_path / "payments.sqlite3", tmp_path / "catalog.sqlite3")
    with sqlite3.connect(orders_db) as conn:
        assert list(conn.execute("SELECT state, failure_reason FROM orders")) == [
            ("failed", "payment_declined")
        ]
