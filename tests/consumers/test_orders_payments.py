"""orders -> payments: charging the order's total, through orders' real ``Orders`` service;
catalog is a stand-in here (its contract is pinned by ``test_orders_catalog``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generated.payments.client import AsyncPaymentsClient
from pact import Pact, match

from tests.consumers.helpers import (
    CHARGE,
    CUSTOMER,
    JSON,
    ORDER,
    PRICE,
    PROBLEM,
    PRODUCT,
    RESERVATION,
    TOKEN,
    bearer,
    catalog_stub,
    charge,
    ident,
    order_request,
    orders_service,
    place_order,
    problem,
)

PactFactory = Callable[[str, str], Pact]


def expect_charge(pact: Pact, token: str, status: int, body: dict[str, Any]) -> None:
    (
        pact.upon_receiving(f"a request to charge {2 * PRICE} EUR to {token}")
        .given("payments accepts new charges")
        .with_request("POST", "/charges")
        .with_header("Authorization", bearer())
        .with_header(
            "Idempotency-Key", match.regex(f"order-{ORDER}", regex=r"^order-ord_[A-Za-z0-9]{8,32}$")
        )
        .with_body(
            {
                "amount": 2 * PRICE,
                "currency": "EUR",
                "order_id": ident(ORDER, "ord"),
                "payment_token": token,
            },
            JSON,
        )
        .will_respond_with(status)
        .with_body(body, JSON if status < 400 else PROBLEM)
    )


def payments(url: str) -> AsyncPaymentsClient:
    return AsyncPaymentsClient(str(url), token=TOKEN)


def failure(order: Any) -> str | None:
    reason = order.failure_reason.root if order.failure_reason is not None else None
    return reason.value if reason is not None else None


def test_a_succeeded_charge_confirms(accord_pact: PactFactory, tmp_path: Path) -> None:
    pact = accord_pact("orders", "payments")
    expect_charge(pact, "tok_visa4242AbCdEf", 201, charge("succeeded"))
    with pact.serve() as server:
        placed = place_order(
            tmp_path, order_request(), catalog=catalog_stub(), payments=payments(server.url)
        )
    assert (placed.state.value, placed.charge_id, failure(placed)) == ("confirmed", CHARGE, None)


def test_a_declined_charge_fails_the_order(accord_pact: PactFactory, tmp_path: Path) -> None:
    pact = accord_pact("orders", "payments")
    token = "tok_declined4242AbCd"
    declined = charge("declined", decline_code="insufficient_funds")
    declined["decline_code"] = match.str("insufficient_funds")
    expect_charge(pact, token, 201, declined)
    with pact.serve() as server:
        placed = place_order(
            tmp_path,
            order_request(token=token),
            catalog=catalog_stub(),
            payments=payments(server.url),
        )
    assert (placed.state.value, failure(placed)) == ("failed", "payment_declined")
    assert placed.charge_id == CHARGE


def test_an_unusable_token_fails_the_order(accord_pact: PactFactory, tmp_path: Path) -> None:
    pact = accord_pact("orders", "payments")
    token = "tok_unusable4242AbCd"
    body = problem(402, "Payment method unusable", f"The token {token} cannot be used.")
    expect_charge(pact, token, 402, body)
    with pact.serve() as server:
        placed = place_order(
            tmp_path,
            order_request(token=token),
            catalog=catalog_stub(),
            payments=payments(server.url),
        )
    assert (placed.state.value, failure(placed)) == ("failed", "payment_method_unusable")
    assert placed.charge_id is None


def test_recovery_finds_the_charge_by_its_idempotency_key(
    accord_pact: PactFactory, tmp_path: Path
) -> None:
    """An ``unresolved`` order (its charge timed out): recovery looks the charge up by the
    key orders charged with, finds it succeeded, commits the stock and confirms."""
    pact = accord_pact("orders", "payments")
    key = f"order-{ORDER}"
    (
        pact.upon_receiving("a request for the charge made with an order's Idempotency-Key")
        .given(f"charge {CHARGE} for {2 * PRICE} was made with Idempotency-Key {key}")
        .with_request("GET", "/charges")
        .with_query_parameter("idempotency_key", key)
        .with_header("Authorization", bearer())
        .will_respond_with(200)
        .with_body({"items": [charge("succeeded")], "next_cursor": None}, JSON)
    )
    with pact.serve() as server:
        client = payments(server.url)
        service = orders_service(tmp_path, catalog=catalog_stub(), payments=client)
        with service.db.transaction() as conn:
            conn.execute(
                "INSERT INTO orders VALUES (?, ?, NULL, 'unresolved', 'EUR', ?, ?, ?, NULL, NULL,"
                " '2025-04-02T11:00:00Z', '2025-04-02T11:00:00Z')",
                (ORDER, CUSTOMER, 2 * PRICE, 2 * PRICE, RESERVATION),
            )
            conn.execute("INSERT INTO order_lines VALUES (?, 0, ?, 2, ?)", (ORDER, PRODUCT, PRICE))

        async def recover() -> int:
            try:
                return await service.recover()
            finally:
                await client.aclose()

        assert asyncio.run(recover()) == 1
    order = asyncio.run(service.get_order(ORDER))
    assert (order.state.value, order.charge_id) == ("confirmed", CHARGE)
