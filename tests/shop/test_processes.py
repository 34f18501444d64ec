"""The shop as real processes (python -m services.<name>) on 127.0.0.1 with real SQLite files."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.shop.conftest import Process, token

pytestmark = pytest.mark.slow


def auth() -> dict[str, str]:
    """Fresh bearer headers per request: a token minted at import expires (5 min) mid-suite."""
    return {"Authorization": f"Bearer {token()}"}


def _create_product(catalog: Process, on_hand: int) -> str:
    response = httpx.post(
        catalog.url + "/products",
        json={"sku": f"CUP-{on_hand}-{time.monotonic_ns()}", "name": "Espresso cup",
              "category": "kitchen", "price": {"amount": 1299, "currency": "EUR"},
              "initial_on_hand": on_hand},
        headers=auth(),
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _order(product_id: str, n: int) -> dict[str, Any]:
    return {
        "customer_id": f"cus_{n:012d}",
        "currency": "EUR",
        "payment_token": "tok_visa4242AbCdEf",
        "lines": [{"product_id": product_id, "quantity": 1}],
    }


async def _place_all(url: str, product_id: str, count: int) -> list[httpx.Response | Exception]:
    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(base_url=url, headers=auth(), timeout=60, limits=limits) as client:
        return await asyncio.gather(
            *(client.post("/orders", json=_order(product_id, n)) for n in range(count)),
            return_exceptions=True,
        )


def test_fifty_parallel_orders_for_ten_units(processes: dict[str, Process]) -> None:
    product_id = _create_product(processes["catalog"], on_hand=10)
    responses = asyncio.run(_place_all(processes["orders"].url, product_id, 50))
    bodies = [r.json() for r in responses if isinstance(r, httpx.Response)]
    assert len(bodies) == 50, [r for r in responses if not isinstance(r, httpx.Response)]
    assert all(r.status_code == 201 for r in responses if isinstance(r, httpx.Response))
    states = sorted(b["state"] for b in bodies)
    assert states.count("confirmed") == 10, states
    assert states.count("failed") == 40
    assert {b["failure_reason"] for b in bodies if b["state"] == "failed"} == {"out_of_stock"}
    stock = httpx.get(
        f"{processes['catalog'].url}/products/{product_id}/stock", headers=auth()
    ).json()
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (0, 0, 0)
    charges = httpx.get(processes["payments"].url + "/charges?limit=100", headers=auth()).json()
    assert len(charges["items"]) == 10  # only confirmed orders were charged


def test_killed_orders_service_loses_no_acknowledged_order(processes: dict[str, Process]) -> None:
    product_id = _create_product(processes["catalog"], on_hand=1000)
    orders = processes["orders"]
    acknowledged: list[str] = []

    async def burst() -> None:
        async with httpx.AsyncClient(base_url=orders.url, headers=auth(), timeout=30) as client:

            async def place(n: int) -> None:
                try:
                    response = await client.post("/orders", json=_order(product_id, n))
                except httpx.TransportError:
                    return  # the process died under this request: never acknowledged
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])

            tasks = [asyncio.create_task(place(n)) for n in range(60)]
            await asyncio.sleep(0)
            while len(acknowledged) < 10:  # kill it mid-burst, once some orders are in
                await asyncio.sleep(0.01)
            orders.kill()
            await asyncio.gather(*tasks)

    asyncio.run(burst())
    assert 10 <= len(acknowledged) < 60
    orders.start()
    for order_id in acknowledged:
        response = httpx.get(f"{orders.url}/orders/{order_id}", headers=auth())
        assert response.status_code == 200, (order_id, response.text)
        assert response.json()["state"] == "confirmed"


def test_thirty_parallel_orders_with_one_idempotency_key(processes: dict[str, Process]) -> None:
    product_id = _create_product(processes["catalog"], on_hand=100)

    async def burst() -> list[httpx.Response]:
        headers = {**auth(), "Idempotency-Key": "one-key-for-thirty"}
        limits = httpx.Limits(max_connections=30)
        url = processes["orders"].url
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60, limits=limits) as c:
            return await asyncio.gather(
                *(c.post("/orders", json=_order(product_id, 1)) for _ in range(30))
            )

    responses = asyncio.run(burst())
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, [(r.status_code, r.text) for r in responses]
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1, created
    assert all(r.json()["state"] == "confirmed" for r in responses if r.status_code == 201)
    in_progress = [r.json() for r in responses if r.status_code == 409]
    assert all(p["title"] == "Request in progress" for p in in_progress), in_progress
    orders = httpx.get(processes["orders"].url + "/orders?limit=100", headers=auth()).json()
    assert [o["id"] for o in orders["items"]] == list(created)
    stock = httpx.get(f"{processes['catalog'].url}/products/{product_id}/stock", headers=auth())
    assert stock.json()["on_hand"] == 99
