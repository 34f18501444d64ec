"""Recovery of interrupted orders, in-process: payments takes the charge but its answer is
lost on the way back; orders keeps the order ``unresolved`` and recovery finishes it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from generated.catalog import models as catalog
from generated.catalog.client import AsyncCatalogClient
from generated.orders import models as orders
from generated.orders.client import AsyncOrdersClient
from generated.payments.client import AsyncPaymentsClient
from services.orders.app import create as create_orders
from services.orders.service import Dependencies

from accord.runtime import ApiError
from tests.shop.conftest import build_shop, token


class LostAnswers(httpx.AsyncBaseTransport):
    """Payments for real, but the answer to ``POST /charges`` never comes back."""

    def __init__(self, app: object) -> None:
        self.inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self.lose = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.lose and request.method == "POST" and request.url.path == "/charges":
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


def test_a_charge_whose_answer_is_lost_ends_in_a_confirmed_order(tmp_path: Path) -> None:
    base = build_shop(tmp_path)
    lost = LostAnswers(base.payments)
    deps = Dependencies(
        catalog=AsyncCatalogClient(
            client=httpx.AsyncClient(
                transport=httpx.ASGITransport(app=base.catalog), base_url="http://c"
            ),
            token=token(),
        ),
        payments=AsyncPaymentsClient(
            client=httpx.AsyncClient(transport=lost, base_url="http://p"), token=token()
        ),
    )
    app = create_orders(tmp_path / "lossy-orders.sqlite3", deps=deps)
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://o",
        headers={"Authorization": f"Bearer {token()}"},
    )  # fmt: skip
    api = AsyncOrdersClient(client=http)
    catalog_api = AsyncCatalogClient(client=base.catalog_http)
    payments_api = AsyncPaymentsClient(client=base.payments_http)

    async def scenario() -> None:
        product = await catalog_api.create_product(
            catalog.ProductCreate.model_validate(
                {"sku": "LOST-1", "name": "Espresso cup", "category": "kitchen",
                 "price": {"amount": 1299, "currency": "EUR"}, "initial_on_hand": 5}
            )
        )  # fmt: skip
        body = orders.OrderCreate.model_validate(
            {"customer_id": "cus_9dLw3Rt7Yb2e", "currency": "EUR",
             "payment_token": "tok_visa4242AbCdEf",
             "lines": [{"product_id": product.id.root, "quantity": 2}]}
        )  # fmt: skip
        try:
            await api.create_order(body, idempotency_key="lost-answer-1")
        except ApiError as exc:
            assert exc.status == 504
        else:
            raise AssertionError("a lost charge answer must not look like success")
        charges = (await payments_api.list_charges()).items
        assert [c.status.value for c in charges] == ["succeeded"]  # payments did charge
        kept = (await api.list_orders()).items
        assert [o.state.value for o in kept] == ["unresolved"]  # never deleted
        try:  # the same key while unresolved: in progress, not a second order
            await api.create_order(body, idempotency_key="lost-answer-1")
        except ApiError as exc:
            assert exc.status == 409
        assert await app.orders.recover() == 1
        order = await api.get_order(kept[0].id.root)
        assert order.state.value == "confirmed"
        assert order.charge_id == charges[0].id.root
        charge = await payments_api.get_charge(charges[0].id.root)
        assert (charge.status.value, charge.amount_refunded) == ("succeeded", 0)
        stock = await catalog_api.get_product_stock(product.id.root)
        assert (stock.on_hand, stock.reserved) == (3, 0)
        replay = await api.create_order(body, idempotency_key="lost-answer-1")
        assert replay.id == order.id and replay.state.value == "confirmed"
        assert await app.orders.recover() == 0  # nothing left to finish

    asyncio.run(scenario())
