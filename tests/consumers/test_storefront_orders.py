"""storefront -> orders: placing an order and following it, through ``Storefront``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from generated.catalog.client import CatalogClient
from generated.orders.client import OrdersClient
from pact import Pact, match
from pact.interaction import HttpInteraction
from services.storefront import OrderLine, OrderSummary, Storefront, StorefrontError

from tests.consumers.helpers import (
    CUSTOMER,
    JSON,
    ORDER,
    PRICE,
    PROBLEM,
    PRODUCT,
    TOKEN,
    UNKNOWN_ORDER,
    UNKNOWN_PRODUCT,
    bearer,
    order,
    problem,
)

PactFactory = Callable[[str, str], Pact]
KEY = "storefront-checkout-0001"


@contextmanager
def storefront(orders_url: str) -> Iterator[Storefront]:
    """The storefront on the mock; catalog is not called in these tests."""
    with Storefront(
        OrdersClient(str(orders_url), token=TOKEN), CatalogClient("http://catalog.invalid")
    ) as shop:
        yield shop


def expect_order(pact: Pact, description: str, state: str, product_id: str) -> HttpInteraction:
    return (
        pact.upon_receiving(description)
        .given(state)
        .with_request("POST", "/orders")
        .with_header("Authorization", bearer())
        .with_header("Idempotency-Key", match.regex(KEY, regex=r"^[A-Za-z0-9_-]{8,64}$"))
        .with_body(
            {
                "customer_id": CUSTOMER,
                "currency": "EUR",
                "payment_token": "tok_visa4242AbCdEf",
                "lines": [{"product_id": product_id, "quantity": 2}],
            },
            JSON,
        )
    )


def place(shop: Storefront, product_id: str = PRODUCT) -> OrderSummary:
    return shop.place_order(
        CUSTOMER,
        [OrderLine(product_id, 2)],
        payment_token="tok_visa4242AbCdEf",
        idempotency_key=KEY,
    )


def test_places_an_order(accord_pact: PactFactory) -> None:
    pact = accord_pact("storefront", "orders")
    (
        expect_order(
            pact, "a request to place an order", f"product {PRODUCT} can be ordered", PRODUCT
        )
        .will_respond_with(201)
        .with_body(order("confirmed"), JSON)
    )
    with pact.serve() as server, storefront(server.url) as shop:
        placed = place(shop)
    assert (placed.id, placed.state, placed.failure_reason) == (ORDER, "confirmed", None)
    assert (placed.total, placed.lines) == (2 * PRICE, (OrderLine(PRODUCT, 2),))


def test_an_unknown_product_is_refused(accord_pact: PactFactory) -> None:
    pact = accord_pact("storefront", "orders")
    body = problem(409, "Product unavailable", f"product {UNKNOWN_PRODUCT} does not exist")
    (
        expect_order(
            pact,
            "a request to place an order for an unknown product",
            f"product {UNKNOWN_PRODUCT} does not exist",
            UNKNOWN_PRODUCT,
        )
        .will_respond_with(409)
        .with_body(body, PROBLEM)
    )
    with (
        pact.serve() as server,
        storefront(server.url) as shop,
        pytest.raises(StorefrontError) as refused,
    ):
        place(shop, UNKNOWN_PRODUCT)
    assert refused.value.status == 409
    assert str(refused.value) == f"Product unavailable: product {UNKNOWN_PRODUCT} does not exist"


def test_an_order_for_a_product_out_of_stock_fails(accord_pact: PactFactory) -> None:
    pact = accord_pact("storefront", "orders")
    failed = {
        **order("failed", failure_reason="out_of_stock"),
        "reservation_id": None,  # nothing was reserved, nothing charged
        "charge_id": None,
    }
    (
        expect_order(
            pact,
            "a request to place an order for a product out of stock",
            f"product {PRODUCT} is out of stock",
            PRODUCT,
        )
        .will_respond_with(201)
        .with_body(failed, JSON)
    )
    with pact.serve() as server, storefront(server.url) as shop:
        placed = place(shop)
    assert (placed.state, placed.failure_reason) == ("failed", "out_of_stock")


def test_shows_an_order(accord_pact: PactFactory) -> None:
    pact = accord_pact("storefront", "orders")
    (
        pact.upon_receiving(f"a request for order {ORDER}")
        .given(f"order {ORDER} is confirmed")
        .with_request("GET", f"/orders/{ORDER}")
        .with_header("Authorization", bearer())
        .will_respond_with(200)
        .with_body(order("confirmed"), JSON)
    )
    with pact.serve() as server, storefront(server.url) as shop:
        shown = shop.order(ORDER)
    assert shown is not None
    assert (shown.id, shown.state, shown.total, shown.currency) == (
        ORDER,
        "confirmed",
        2 * PRICE,
        "EUR",
    )


def test_an_unknown_order_is_none(accord_pact: PactFactory) -> None:
    pact = accord_pact("storefront", "orders")
    (
        pact.upon_receiving(f"a request for order {UNKNOWN_ORDER}, which does not exist")
        .given(f"order {UNKNOWN_ORDER} does not exist")
        .with_request("GET", f"/orders/{UNKNOWN_ORDER}")
        .with_header("Authorization", bearer())
        .will_respond_with(404)
        .with_body(problem(404, "Not Found", f"order {UNKNOWN_ORDER} does not exist"), PROBLEM)
    )
    with pact.serve() as server, storefront(server.url) as shop:
        assert shop.order(UNKNOWN_ORDER) is None
