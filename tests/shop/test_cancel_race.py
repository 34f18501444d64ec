"""Concurrent cancels of one order: one cancels it, the others get 409, and its stock comes
back once (before, each cancel refunded by the same key and returned the stock again)."""

from __future__ import annotations

import asyncio

import httpx
from generated.catalog import models as catalog
from generated.catalog.client import AsyncCatalogClient

from tests.shop.conftest import Shop


def test_concurrent_cancels_return_the_stock_once(shop: Shop) -> None:
    async def scenario() -> tuple[list[httpx.Response], tuple[int, int]]:
        api = AsyncCatalogClient(client=shop.catalog_http)
        product = await api.create_product(
            catalog.ProductCreate.model_validate(
                {"sku": "RACE-CANCEL", "name": "Espresso cup", "category": "kitchen",
                 "price": {"amount": 1299, "currency": "EUR"}, "initial_on_hand": 5}
            )
        )  # fmt: skip
        placed = await shop.orders_http.post(
            "/orders",
            json={"customer_id": "cus_9dLw3Rt7Yb2e", "currency": "EUR",
                  "payment_token": "tok_visa4242AbCdEf",
                  "lines": [{"product_id": product.id.root, "quantity": 2}]},
        )  # fmt: skip
        assert placed.json()["state"] == "confirmed", placed.text
        url = f"/orders/{placed.json()['id']}/cancel"
        answers = await asyncio.gather(*(shop.orders_http.post(url, json={}) for _ in range(4)))
        stock = await api.get_product_stock(product.id.root)
        return list(answers), (stock.on_hand, stock.reserved)

    answers, stock = asyncio.run(scenario())
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409], [a.text for a in answers]
    assert all(
        a.headers["content-type"] == "application/problem+json"
        for a in answers
        if a.status_code == 409
    )
    assert stock == (5, 0)  # 5 on hand, 2 sold, 2 returned once
