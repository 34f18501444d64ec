"""Recovery of interrupted orders, in-process: payments takes the charge but its answer is
lost on the way back; orders keeps the order ``unresolved`` and recovery finishes it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from generated.catalog import models as catalog
from generated.catalog.client import AsyncCatalogClient
from generated.orders import models as orders
from generated.orders.client import AsyncOrdersClient
from generated.payments.client import AsyncPaymentsClient
from generated.runtime import ApiError
from services.orders.app import create as create_orders
from services.orders.service import Dependencies

from tests.shop.conftest import build_shop, token


class LostAnswers(httpx.AsyncBaseTransport):
    """The real app, but the answer to ``POST <path>`` never comes back."""

    def __init__(self, app: object, path: str) -> None:
        self.inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self.path = path
        self.lose = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.lose and request.method == "POST" and request.url.path == self.path:
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


def _lossy_shop(tmp_path: Path, service: str, path: str) -> tuple[Any, Any, LostAnswers]:
    """The shop in-process; the answers of ``service`` to ``POST <path>`` are lost."""
    base = build_shop(tmp_path)
    apps = {"catalog": base.catalog, "payments": base.payments}
    lost = LostAnswers(apps[service], path)

    def transport(name: str) -> httpx.AsyncBaseTransport:
        return lost if name == service else httpx.ASGITransport(app=apps[name])

    deps = Dependencies(
        catalog=AsyncCatalogClient(
            client=httpx.AsyncClient(transport=transport("catalog"), base_url="http://c"),
            token=token(),
        ),
        payments=AsyncPaymentsClient(
            client=httpx.AsyncClient(transport=transport("payments"), base_url="http://p"),
            token=token(),
        ),
    )
    app = create_orders(tmp_path / "lossy-orders.sqlite3", deps=deps)
    return base, app, lost


def _orders_api(app: Any) -> AsyncOrdersClient:
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://o",
        headers={"Authorization": f"Bearer {token()}"},
    )  # fmt: skip
    return AsyncOrdersClient(client=http)


async def _product_and_order(
    catalog_api: AsyncCatalogClient, sku: str
) -> tuple[Any, orders.OrderCreate]:
    """A product with 5 on hand, and an order for 2 of it."""
    product = await catalog_api.create_product(
        catalog.ProductCreate.model_validate(
            {"sku": sku, "name": "Espresso cup", "category": "kitchen",
             "price": {"amount": 1299, "currency": "EUR"}, "initial_on_hand": 5}
        )
    )  # fmt: skip
    body = orders.OrderCreate.model_validate(
        {"customer_id": "cus_9dLw3Rt7Yb2e", "currency": "EUR",
         "payment_token": "tok_visa4242AbCdEf",
         "lines": [{"product_id": product.id.root, "quantity": 2}]}
    )  # fmt: skip
    return product, body


def test_a_reservation_whose_answer_is_lost_is_found_by_order(tmp_path: Path) -> None:
    base, app, lost = _lossy_shop(tmp_path, "catalog", "/reservations")
    api = _orders_api(app)
    catalog_api = AsyncCatalogClient(client=base.catalog_http)

    async def scenario() -> None:
        product, body = await _product_and_order(catalog_api, "LOST-2")
        try:
            await api.create_order(body)
        except ApiError as exc:
            assert exc.status == 504
        else:
            raise AssertionError("a lost reservation answer must not look like success")
        assert (await catalog_api.get_product_stock(product.id.root)).reserved == 2  # held
        kept = (await api.list_orders()).items
        assert [(o.state.value, o.reservation_id) for o in kept] == [("unresolved", None)]
        lost.lose = False
        assert await app.orders.recover() == 1
        order = await api.get_order(kept[0].id.root)
        assert order.state.value == "confirmed" and order.reservation_id is not None
        stock = await catalog_api.get_product_stock(product.id.root)
        assert (stock.on_hand, stock.reserved) == (3, 0)

    asyncio.run(scenario())


def test_a_charge_whose_answer_is_lost_ends_in_a_confirmed_order(tmp_path: Path) -> None:
    base, app, _ = _lossy_shop(tmp_path, "payments", "/charges")
    api = _orders_api(app)
    catalog_api = AsyncCatalogClient(client=base.catalog_http)
    payments_api = AsyncPaymentsClient(client=base.payments_http)

    async def scenario() -> None:
        product, body = await _product_and_order(catalog_api, "LOST-1")
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


def test_an_order_its_request_settles_during_a_round_is_skipped(tmp_path: Path) -> None:
    """Recovery lists the open orders, then resolves them one by one; a request that
    discards or settles one of the later ones meanwhile must not end the round with 404."""
    base, app, lost = _lossy_shop(tmp_path, "catalog", "/reservations")
    api = _orders_api(app)
    catalog_api = AsyncCatalogClient(client=base.catalog_http)
    service = app.orders

    async def scenario() -> None:
        _, body = await _product_and_order(catalog_api, "RACE-1")
        for _ in range(3):  # three unresolved orders, their reservations held at catalog
            try:
                await api.create_order(body)
            except ApiError as exc:
                assert exc.status == 504
        lost.lose = False
        ids = [o.id.root for o in (await api.list_orders()).items]
        assert len(ids) == 3
        resolve = service._resolve

        async def resolve_and_race(order: orders.Order) -> bool:
            done = await resolve(order)
            if order.id.root == ids[-1]:  # the list's first: the oldest order
                service._discard(ids[0])  # what a failed request does to its own order
            return done

        service._resolve = resolve_and_race
        assert await service.recover() == 2  # the discarded one is skipped, not a 404
        states = [o.state.value for o in (await api.list_orders()).items]
        assert states == ["confirmed", "confirmed"]

    asyncio.run(scenario())
