"""orders -> payments: charging the order's total, through orders' real ``Orders`` service;
catalog is a stand-in here (its contract is pinned by ``test_orders_catalog``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from generated.payments.client import AsyncPaymentsClient
from pact import Pact, match

from tests.consumers.helpers import (
    CHARGE,
    JSON,
    ORDER,
    PRICE,
    PROBLEM,
    TOKEN,
    bearer,
    catalog_stub,
    charge,
    ident,
    order_request,
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
