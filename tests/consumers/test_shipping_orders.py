"""shipping <- orders: the order events shipping consumes, handed to shipping's real handler
(``services.shipping.handler.Shipping`` on a fresh SQLite file). Writes the message pact
``contracts/pacts/shipping-orders.json``, verified against orders by ``accord verify``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pact import Pact, match
from services.shipping.handler import SCHEMA, Shipping

from accord.runtime import Database

PactFactory = Callable[[str, str], Pact]
ORDER = "ord_Q4m8TzR2vW6y"
PRODUCT = "prd_7Hx2Kq9LmN4p"
JSON = "application/json"


def _event(kind: str, event_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": match.regex(event_id, regex=r"^evt_[A-Za-z0-9]{8,32}$"),
        "type": f"order.{kind}",
        "occurred_at": match.regex(
            "2025-04-02T11:00:04Z",
            regex=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$",
        ),
        "order_id": ORDER,
        "customer_id": match.like("cus_9dLw3Rt7Yb2e"),
        "currency": match.like("EUR"),
        "total": match.int(2598),
        "lines": match.each_like({"product_id": PRODUCT, "quantity": match.int(2)}, min=1),
        **extra,
    }


def test_shipping_handles_order_events(accord_pact: PactFactory, tmp_path: Path) -> None:
    pact = accord_pact("shipping", "orders")
    (
        pact.upon_receiving("an order confirmed event", "Async")
        .given(f"order {ORDER} is confirmed")
        .with_body(_event("confirmed", "evt_Hx2Kq9LmN4pQ8rT7"), JSON)
        .with_metadata({"subject": f"orders.{ORDER}.confirmed"})
    )
    (
        pact.upon_receiving("an order cancelled event", "Async")
        .given(f"order {ORDER} was cancelled")
        .with_body(_event("cancelled", "evt_Kq9LmN4pQ8rT7Hx2"), JSON)
        .with_metadata({"subject": f"orders.{ORDER}.cancelled"})
    )
    shipping = Shipping(Database(tmp_path / "shipping.sqlite3", SCHEMA))
    seen: list[str] = []

    def handler(contents: str | bytes | None, metadata: dict[str, object]) -> None:
        body = contents if isinstance(contents, bytes) else str(contents)  # an FFI string
        event = json.loads(body)
        assert metadata["subject"] == f"orders.{ORDER}.{event['type'].split('.')[1]}"
        assert shipping.handle(body, metadata) is True
        assert shipping.handle(body, metadata) is False  # a repeat changes nothing
        found = shipping.shipment(ORDER)
        assert found is not None and found["state"] in ("ready", "cancelled")
        seen.append(found["state"])

    pact.verify(handler, "Async")
    assert sorted(seen) == ["cancelled", "ready"]
