"""Shapes of the bodies the consumers expect, as Pact matchers, and stand-ins for the
service a test does not pin (an ``httpx.MockTransport`` with contract-valid answers)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from generated.catalog.client import AsyncCatalogClient
from generated.orders import models as orders_models
from generated.payments.client import AsyncPaymentsClient
from pact import match
from services.orders._store import SCHEMA
from services.orders.service import Dependencies, Orders

from accord.runtime import Database

TOKEN = "test-token"
PRODUCT = "prd_7Hx2Kq9LmN4p"
UNKNOWN_PRODUCT = "prd_Zz00Zz00Zz00"
RESERVATION = "rsv_K2p9Wd4Xs7Qa"
ORDER = "ord_Q4m8TzR2vW6y"
UNKNOWN_ORDER = "ord_Zz00Zz00Zz00"
CHARGE = "ch_5Gh8Jk2Lm4Np"
CUSTOMER = "cus_9dLw3Rt7Yb2e"
PRICE = 1299
JSON = "application/json"
PROBLEM = "application/problem+json"


def ident(example: str, prefix: str) -> Any:
    """An id the consumer only needs the shape of."""
    return match.regex(example, regex=f"^{prefix}_[A-Za-z0-9]{{8,32}}$")


#: an RFC 3339 date-time (section 5.6), what the providers' ``format: date-time`` allows
RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"


def timestamp(example: str = "2025-04-02T11:00:00.000Z") -> Any:
    """An RFC 3339 timestamp. The services write UTC with milliseconds, but their contracts
    promise any RFC 3339 date-time, so the consumers accept any (a Pact date format such as
    ``yyyy-MM-dd'T'HH:mm:ss.SSSX`` would refuse ``...:05Z`` and ``+01:00`` offsets:
    ``accord crosscheck`` reports that as ``response.body.narrower``)."""
    return match.regex(example, regex=RFC3339)


def bearer() -> Any:
    return match.regex(f"Bearer {TOKEN}", regex=r"^Bearer [A-Za-z0-9._~+/=-]+$")


def product(product_id: str = PRODUCT, *, in_stock: bool = True) -> dict[str, Any]:
    return {
        "id": ident(product_id, "prd"),
        "sku": match.str("SKU-7HX2KQ9L"),
        "name": match.str("Espresso cup"),
        "description": None,
        "category": match.str("kitchen"),
        "price": {"amount": match.int(PRICE), "currency": "EUR"},
        "status": "active",
        "in_stock": in_stock,
        "created_at": timestamp(),
        "updated_at": timestamp(),
    }


def reservation(state: str, *, quantity: int = 2) -> dict[str, Any]:
    return {
        "id": ident(RESERVATION, "rsv"),
        "order_id": ident(ORDER, "ord"),
        "state": state,
        "lines": match.each_like({"product_id": ident(PRODUCT, "prd"), "quantity": quantity}),
        "expires_at": timestamp("2025-04-02T11:15:00.000Z"),
        "created_at": timestamp(),
        "updated_at": timestamp(),
    }


def charge(status: str, *, decline_code: str | None = None, amount: int = 2 * PRICE) -> Any:
    return {
        "id": ident(CHARGE, "ch"),
        "order_id": ident(ORDER, "ord"),
        "amount": amount,
        "currency": "EUR",
        "status": status,
        "decline_code": decline_code,
        "amount_refunded": 0,
        "card": {"brand": match.str("visa"), "last4": match.regex("4242", regex=r"^[0-9]{4}$")},
        "description": None,
        "created_at": timestamp(),
    }


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    """A problem document: the consumers read its status; title and detail only by type."""
    return {
        "type": match.str("about:blank"),
        "title": match.str(title),
        "status": status,
        "detail": match.str(detail),
    }


def order(state: str, *, failure_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": ident(ORDER, "ord"),
        "customer_id": CUSTOMER,
        "customer_email": None,
        "state": state,
        "currency": "EUR",
        "lines": match.each_like(
            {
                "product_id": ident(PRODUCT, "prd"),
                "quantity": match.int(2),
                "unit_price": match.int(PRICE),
                "line_total": match.int(2 * PRICE),
            }
        ),
        "subtotal": match.int(2 * PRICE),
        "total": match.int(2 * PRICE),
        "reservation_id": ident(RESERVATION, "rsv"),
        "charge_id": ident(CHARGE, "ch"),
        "failure_reason": failure_reason,
        "created_at": timestamp(),
        "updated_at": timestamp(),
    }


def order_request(*, token: str = "tok_visa4242AbCdEf", product_id: str = PRODUCT) -> Any:
    return orders_models.OrderCreate.model_validate(
        {
            "customer_id": CUSTOMER,
            "currency": "EUR",
            "payment_token": token,
            "lines": [{"product_id": product_id, "quantity": 2}],
        }
    )


# stand-ins for the service a test does not pin -------------------------------------------
def _example(shape: Any) -> Any:
    """The example value of a body shape: matchers replaced by their examples."""
    text = json.dumps(shape, default=lambda m: m.to_integration_json())
    return _strip(json.loads(text))


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        if "pact:matcher:type" in value:
            return _strip(value.get("value"))
        return {k: _strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


Answer = Callable[[httpx.Request], httpx.Response]


def stub(answers: dict[tuple[str, str], tuple[int, Any]]) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` answering ``(method, path prefix)`` with a status and a body."""

    def answer(request: httpx.Request) -> httpx.Response:
        for (method, prefix), (status, body) in answers.items():
            if request.method == method and request.url.path.startswith(prefix):
                return httpx.Response(status, json=_example(body))
        return httpx.Response(
            404, json={"type": "about:blank", "title": "Not Found", "status": 404}
        )

    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


def catalog_stub(*, reserve_status: int = 201) -> AsyncCatalogClient:
    """catalog answering every call orders makes the happy way."""
    return AsyncCatalogClient(
        "http://catalog.stub",
        client=stub(
            {
                ("GET", "/products/"): (200, product()),
                ("POST", "/reservations/"): (200, reservation("released")),
                ("POST", "/reservations"): (reserve_status, reservation("held")),
            }
        ),
    )


def payments_stub(
    status: str = "succeeded", decline_code: str | None = None
) -> AsyncPaymentsClient:
    """payments answering a charge with ``status``."""
    return AsyncPaymentsClient(
        "http://payments.stub",
        client=stub({("POST", "/charges"): (201, charge(status, decline_code=decline_code))}),
    )


def orders_service(
    tmp: Path, *, catalog: AsyncCatalogClient, payments: AsyncPaymentsClient
) -> Orders:
    """orders' real service on a fresh SQLite file, calling the given clients."""
    return Orders(Database(tmp / "orders.sqlite3", SCHEMA), Dependencies(catalog, payments))


def place_order(
    tmp: Path,
    body: orders_models.OrderCreate,
    *,
    catalog: AsyncCatalogClient,
    payments: AsyncPaymentsClient,
) -> orders_models.Order:
    """Place ``body`` through orders' real service; both clients are closed afterwards."""

    async def scenario() -> orders_models.Order:
        try:
            reply = await orders_service(tmp, catalog=catalog, payments=payments).create_order(body)
        finally:
            await catalog.aclose()
            await payments.aclose()
        return reply.body

    return asyncio.run(scenario())
