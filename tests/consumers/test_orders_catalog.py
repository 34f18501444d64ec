"""orders -> catalog: pricing, reserving, releasing and committing stock, through orders'
real ``Orders`` service (its ``Dependencies``); payments is a stand-in here."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from generated.catalog.client import AsyncCatalogClient
from generated.payments.client import AsyncPaymentsClient
from pact import Pact, match
from pact.interaction import HttpInteraction

from accord.runtime import HttpProblem
from tests.consumers.helpers import (
    CUSTOMER,
    JSON,
    ORDER,
    PRICE,
    PROBLEM,
    PRODUCT,
    RESERVATION,
    TOKEN,
    UNKNOWN_PRODUCT,
    bearer,
    ident,
    order_request,
    orders_service,
    payments_stub,
    place_order,
    problem,
    product,
    reservation,
    stub,
)

PactFactory = Callable[[str, str], Pact]


def get_product(pact: Pact, *, stock: int = 5) -> None:
    (
        pact.upon_receiving(f"a request for product {PRODUCT} with {stock} in stock")
        .given(f"product {PRODUCT} has {stock} in stock")
        .with_request("GET", f"/products/{PRODUCT}")
        .with_header("Authorization", bearer())
        .will_respond_with(200)
        .with_body(product(in_stock=stock > 0), JSON)
    )


def reserve(pact: Pact, *, stock: int, status: int, body: dict[str, Any]) -> HttpInteraction:
    return (
        pact.upon_receiving(f"a request to reserve 2 of product {PRODUCT} with {stock} in stock")
        .given(f"product {PRODUCT} has {stock} in stock")
        .with_request("POST", "/reservations")
        .with_header("Authorization", bearer())
        .with_body(
            {
                "order_id": ident(ORDER, "ord"),
                "lines": [{"product_id": PRODUCT, "quantity": 2}],
            },
            JSON,
        )
        .will_respond_with(status)
        .with_body(body, JSON if status < 400 else PROBLEM)
    )


def settle(pact: Pact, action: str, state: str) -> None:
    (
        pact.upon_receiving(f"a request to {action} reservation {RESERVATION}")
        .given(f"reservation {RESERVATION} is held for product {PRODUCT}")
        .with_request("POST", f"/reservations/{RESERVATION}/{action}")
        .with_header("Authorization", bearer())
        .will_respond_with(200)
        .with_body(reservation(state), JSON)
    )


def catalog(url: str) -> AsyncCatalogClient:
    return AsyncCatalogClient(str(url), token=TOKEN)


def test_prices_reserves_and_commits(accord_pact: PactFactory, tmp_path: Path) -> None:
    pact = accord_pact("orders", "catalog")
    get_product(pact)
    reserve(pact, stock=5, status=201, body=reservation("held"))
    settle(pact, "commit", "committed")
    with pact.serve() as server:
        placed = place_order(
            tmp_path, order_request(), catalog=catalog(server.url), payments=payments_stub()
        )
    assert (placed.state.value, placed.reservation_id) == ("confirmed", RESERVATION)
    assert [(line.unit_price.root, line.quantity) for line in placed.lines] == [(PRICE, 2)]


def test_out_of_stock_fails_the_order(accord_pact: PactFactory, tmp_path: Path) -> None:
    pact = accord_pact("orders", "catalog")
    get_product(pact, stock=0)
    body = problem(409, "Out of stock", "Not enough stock to reserve every line")
    body["errors"] = match.each_like(
        {"pointer": "/lines/0/quantity", "message": match.str("requested 2, available 0")}
    )
    reserve(pact, stock=0, status=409, body=body)
    with pact.serve() as server:
        placed = place_order(
            tmp_path, order_request(), catalog=catalog(server.url), payments=payments_stub()
        )
    assert (placed.state.value, placed.reservation_id) == ("failed", None)
    assert placed.failure_reason is not None
    assert placed.failure_reason.root is not None
    assert placed.failure_reason.root.value == "out_of_stock"


def test_declined_payment_releases_stock(accord_pact: PactFactory, tmp_path: Path) -> None:
    pact = accord_pact("orders", "catalog")
    get_product(pact)
    reserve(pact, stock=5, status=201, body=reservation("held"))
    settle(pact, "release", "released")
    with pact.serve() as server:
        placed = place_order(
            tmp_path,
            order_request(token="tok_declined4242AbCd"),
            catalog=catalog(server.url),
            payments=payments_stub("declined", "insufficient_funds"),
        )
    assert placed.state.value == "failed"
    assert placed.failure_reason is not None
    assert placed.failure_reason.root is not None
    assert placed.failure_reason.root.value == "payment_declined"


def test_unknown_product_is_refused(accord_pact: PactFactory, tmp_path: Path) -> None:
    pact = accord_pact("orders", "catalog")
    (
        pact.upon_receiving(f"a request for product {UNKNOWN_PRODUCT}, which does not exist")
        .given(f"product {UNKNOWN_PRODUCT} does not exist")
        .with_request("GET", f"/products/{UNKNOWN_PRODUCT}")
        .with_header("Authorization", bearer())
        .will_respond_with(404)
        .with_body(problem(404, "Not Found", f"No product with id {UNKNOWN_PRODUCT}."), PROBLEM)
    )
    body = order_request(product_id=UNKNOWN_PRODUCT)
    with pact.serve() as server, pytest.raises(HttpProblem) as refused:
        place_order(tmp_path, body, catalog=catalog(server.url), payments=payments_stub())
    # orders understands catalog's 404 (a refusal of the order, not a 502 Bad Gateway)
    assert refused.value.status in (409, 422)
    assert UNKNOWN_PRODUCT in str(refused.value.detail)


def test_recovery_finds_and_releases_an_unheard_reservation(
    accord_pact: PactFactory, tmp_path: Path
) -> None:
    """The reservation request of an order got no answer: recovery finds what catalog held
    for the order, and (no charge landed, no token kept) releases it and fails the order."""
    pact = accord_pact("orders", "catalog")
    (
        pact.upon_receiving(f"a request for the reservations of order {ORDER}")
        .given(f"reservation {RESERVATION} is held for product {PRODUCT}")
        .with_request("GET", "/reservations")
        .with_query_parameter("order_id", ORDER)
        .with_header("Authorization", bearer())
        .will_respond_with(200)
        .with_body({"items": [reservation("held")]}, JSON)
    )
    settle(pact, "release", "released")
    nothing = stub({("GET", "/charges"): (200, {"items": [], "next_cursor": None})})
    payments = AsyncPaymentsClient("http://payments.stub", client=nothing)
    with pact.serve() as server:
        client = catalog(server.url)
        service = orders_service(tmp_path, catalog=client, payments=payments)
        with service.db.transaction() as conn:
            conn.execute(
                "INSERT INTO orders VALUES (?, ?, NULL, 'unresolved', 'EUR', ?, ?, NULL, NULL,"
                " NULL, '2025-04-02T11:00:00Z', '2025-04-02T11:00:00Z')",
                (ORDER, CUSTOMER, 2 * PRICE, 2 * PRICE),
            )
            conn.execute("INSERT INTO order_lines VALUES (?, 0, ?, 2, ?)", (ORDER, PRODUCT, PRICE))

        async def recover() -> int:
            try:
                return await service.recover()
            finally:
                await client.aclose()
                await payments.aclose()

        assert asyncio.run(recover()) == 1
    order = asyncio.run(service.get_order(ORDER))
    assert (order.state.value, order.reservation_id) == ("failed", RESERVATION)
