"""The shop end to end, in-process: three connexion apps on real SQLite files, talking
through the generated clients; every response validated against its contract."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from generated.catalog import models as catalog
from generated.catalog.client import AsyncCatalogClient
from generated.orders import models as orders
from generated.orders.client import AsyncOrdersClient
from generated.payments import models as payments
from generated.payments.client import AsyncPaymentsClient
from generated.runtime import ApiError

from tests.shop.conftest import Shop, build_shop, token


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _product(shop: Shop, on_hand: int, price: int = 1299) -> str:
    api = AsyncCatalogClient(client=shop.catalog_http)
    product = await api.create_product(
        catalog.ProductCreate.model_validate(
            {"sku": f"SKU-{on_hand}-{price}", "name": "Espresso cup", "category": "kitchen",
             "price": {"amount": price, "currency": "EUR"}, "initial_on_hand": on_hand}
        )
    )  # fmt: skip
    return product.id.root


def _order(
    product_id: str, quantity: int = 2, token_: str = "tok_visa4242AbCdEf"
) -> orders.OrderCreate:
    return orders.OrderCreate.model_validate(
        {"customer_id": "cus_9dLw3Rt7Yb2e", "currency": "EUR", "payment_token": token_,
         "lines": [{"product_id": product_id, "quantity": quantity}]}
    )  # fmt: skip


async def _stock(shop: Shop, product_id: str) -> catalog.StockLevel:
    return await AsyncCatalogClient(client=shop.catalog_http).get_product_stock(product_id)


def test_happy_path_across_three_services(shop: Shop) -> None:
    async def scenario() -> None:
        product_id = await _product(shop, on_hand=5, price=1299)
        api = AsyncOrdersClient(client=shop.orders_http)
        order = await api.create_order(_order(product_id, 2), idempotency_key="order-key-0001")
        assert order.state.value == "confirmed"
        assert order.total.root == 2598 and order.lines[0].unit_price.root == 1299
        stock = await _stock(shop, product_id)
        assert (stock.on_hand, stock.reserved) == (3, 0)
        charge = await AsyncPaymentsClient(client=shop.payments_http).get_charge(order.charge_id)
        assert charge.status.value == "succeeded" and charge.amount.root == 2598
        assert (await api.get_order(order.id.root)) == order
        page = await api.list_orders(customer_id="cus_9dLw3Rt7Yb2e")
        assert [o.id for o in page.items] == [order.id]

    run(scenario())


def test_declined_payment_releases_the_reservation(shop: Shop) -> None:
    async def scenario() -> None:
        product_id = await _product(shop, on_hand=5)
        api = AsyncOrdersClient(client=shop.orders_http)
        order = await api.create_order(_order(product_id, 3, token_="tok_declined00001234"))
        assert order.state.value == "failed"
        assert order.failure_reason is not None
        assert (
            order.failure_reason.root is not None
            and order.failure_reason.root.value == "payment_declined"
        )
        stock = await _stock(shop, product_id)
        assert (stock.on_hand, stock.reserved, stock.available) == (5, 0, 5)
        reservation = await AsyncCatalogClient(client=shop.catalog_http).get_reservation(
            order.reservation_id
        )
        assert reservation.state.value == "released"

    run(scenario())


def test_out_of_stock_fails_the_order_and_charges_nothing(shop: Shop) -> None:
    async def scenario() -> None:
        product_id = await _product(shop, on_hand=1)
        order = await AsyncOrdersClient(client=shop.orders_http).create_order(_order(product_id, 2))
        assert order.state.value == "failed" and order.failure_reason.root.value == "out_of_stock"
        assert order.charge_id is None
        charges = await AsyncPaymentsClient(client=shop.payments_http).list_charges(
            order_id=order.id.root
        )
        assert charges.items == []

    run(scenario())


def test_payments_down_gives_503_and_leaves_stock_unchanged(tmp_path: Path) -> None:
    shop = build_shop(tmp_path, payments_down=True)

    async def scenario() -> None:
        product_id = await _product(shop, on_hand=4)
        api = AsyncOrdersClient(client=shop.orders_http)
        with pytest.raises(ApiError) as caught:
            await api.create_order(_order(product_id, 2))
        assert caught.value.status == 503
        assert caught.value.problem is not None and "payments" in caught.value.problem["detail"]
        stock = await _stock(shop, product_id)
        assert (stock.on_hand, stock.reserved) == (4, 0)
        assert (await api.list_orders()).items == []  # nothing half-placed is left behind

    run(scenario())


def test_order_idempotency(shop: Shop) -> None:
    async def scenario() -> None:
        product_id = await _product(shop, on_hand=10)
        api = AsyncOrdersClient(client=shop.orders_http)
        first = await api.create_order(_order(product_id, 1), idempotency_key="same-key-123")
        again = await api.create_order(_order(product_id, 1), idempotency_key="same-key-123")
        assert again == first
        assert (await _stock(shop, product_id)).on_hand == 9  # charged and committed once
        with pytest.raises(ApiError) as caught:
            await api.create_order(_order(product_id, 2), idempotency_key="same-key-123")
        assert caught.value.status == 409
        assert caught.value.problem is not None
        assert caught.value.problem["title"] == "Idempotency-Key reused"

    run(scenario())


def test_charge_idempotency(shop: Shop) -> None:
    async def scenario() -> None:
        api = AsyncPaymentsClient(client=shop.payments_http)
        body = payments.ChargeCreate.model_validate(
            {"amount": 500, "currency": "EUR", "order_id": "ord_Q4m8TzR2vW6y",
             "payment_token": "tok_visa4242AbCdEf"}
        )  # fmt: skip
        first = await api.create_charge(body, idempotency_key="charge-key-1")
        replay = await api.create_charge(body, idempotency_key="charge-key-1")
        assert replay == first
        assert len((await api.list_charges(order_id="ord_Q4m8TzR2vW6y")).items) == 1
        other = body.model_copy(update={"amount": payments.ChargeAmount(600)})
        with pytest.raises(ApiError) as caught:
            await api.create_charge(other, idempotency_key="charge-key-1")
        assert caught.value.status == 409
        with pytest.raises(ApiError) as unusable:
            await api.create_charge(
                body.model_copy(
                    update={"payment_token": payments.PaymentToken("tok_unusable1234")}
                ),
                idempotency_key="charge-key-2",
            )
        assert unusable.value.status == 402

    run(scenario())


def test_cancel_refunds_and_restocks(shop: Shop) -> None:
    async def scenario() -> None:
        product_id = await _product(shop, on_hand=5)
        api = AsyncOrdersClient(client=shop.orders_http)
        order = await api.create_order(_order(product_id, 2))
        cancelled = await api.cancel_order(order.id.root)
        assert cancelled.state.value == "cancelled"
        assert (await _stock(shop, product_id)).on_hand == 5
        charge = await AsyncPaymentsClient(client=shop.payments_http).get_charge(order.charge_id)
        assert charge.amount_refunded == charge.amount.root
        with pytest.raises(ApiError) as caught:
            await api.cancel_order(order.id.root)
        assert caught.value.status == 409

    run(scenario())


def test_unknown_product_is_409(shop: Shop) -> None:
    async def scenario() -> None:
        with pytest.raises(ApiError) as caught:
            await AsyncOrdersClient(client=shop.orders_http).create_order(
                _order("prd_DoesNotExist1")
            )
        assert caught.value.status == 409

    run(scenario())


def test_scopes_are_enforced(shop: Shop) -> None:
    async def scenario() -> None:
        shop.orders_http.headers["Authorization"] = f"Bearer {token('orders:read')}"
        with pytest.raises(ApiError) as caught:
            await AsyncOrdersClient(client=shop.orders_http).create_order(_order("prd_AbCdEfGh12"))
        assert caught.value.status == 403

    run(scenario())


def test_health_and_provider_states(shop: Shop, tmp_path: Path) -> None:
    from services.catalog.app import create  # noqa: PLC0415

    app = create(tmp_path / "states.sqlite3", with_states=True)

    async def scenario() -> None:
        import httpx  # noqa: PLC0415

        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as http:
            assert (await http.get("/healthz")).json() == {"status": "ok"}
            ok = await http.post(
                "/_accord/provider-states", json={"state": "product prd_AbCdEfGh12 has 3 in stock"}
            )
            assert ok.status_code == 200
            api = AsyncCatalogClient(client=http, token=token())
            assert (await api.get_product_stock("prd_AbCdEfGh12")).available == 3
            bad = await http.post("/_accord/provider-states", json={"state": "the moon is full"})
            assert bad.status_code == 400 and "product {product_id} exists" in bad.json()["detail"]
        # without --provider-states the endpoint does not exist
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=shop.catalog), base_url="http://t"
        ) as http:
            assert (
                await http.post("/_accord/provider-states", json={"state": "x"})
            ).status_code == 404

    run(scenario())


def test_orders_provider_states_name_their_dependencies_states(tmp_path: Path) -> None:
    from services.orders.app import create  # noqa: PLC0415

    app = create(tmp_path / "states.sqlite3", with_states=True)

    async def scenario() -> None:
        import httpx  # noqa: PLC0415

        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as http:
            empty = await http.post(
                "/_accord/provider-states", json={"state": "product prd_AbCdEfGh12 is out of stock"}
            )
            assert empty.json() == {
                "dependencies": {"catalog": ["product prd_AbCdEfGh12 has 0 in stock"]}
            }
            own = await http.post(
                "/_accord/provider-states", json={"state": "order ord_AbCdEfGh12 does not exist"}
            )
            assert own.status_code == 200 and own.json() == {}  # implies nothing of others

    run(scenario())


def test_payments_timeout_retries_once_with_the_same_key_then_504(tmp_path: Path) -> None:
    """A charge that times out is retried with the same Idempotency-Key (payments can never
    charge twice), then orders answers 504 and keeps the order ``unresolved`` with its stock
    held; once payments answers that no charge was made, recovery releases and fails it."""
    import httpx  # noqa: PLC0415
    from generated.catalog.client import AsyncCatalogClient as Catalog  # noqa: PLC0415
    from services.orders.app import create as create_orders  # noqa: PLC0415
    from services.orders.service import Dependencies  # noqa: PLC0415

    seen: list[str] = []

    def slow_payments(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and seen:  # the lookup, once payments is back: no charge
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        if len(seen) == 2:  # recovery charges again with the key: the token is refused now
            seen.append(request.headers["Idempotency-Key"])
            problem = {"type": "about:blank", "title": "Payment token unusable", "status": 402}
            return httpx.Response(402, json=problem)
        seen.append(request.headers["Idempotency-Key"])
        raise httpx.ReadTimeout("payments is slow", request=request)

    base = build_shop(tmp_path)
    catalog_http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=base.catalog), base_url="http://c"
    )
    payments_http = httpx.AsyncClient(
        transport=httpx.MockTransport(slow_payments), base_url="http://p"
    )
    deps = Dependencies(
        catalog=Catalog(client=catalog_http, token=token()),
        payments=AsyncPaymentsClient(client=payments_http, token=token()),
    )
    orders_app = create_orders(tmp_path / "slow-orders.sqlite3", deps=deps)

    async def scenario() -> None:
        product_id = await _product(base, on_hand=3)
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=orders_app), base_url="http://o",
            headers={"Authorization": f"Bearer {token()}"},
        )  # fmt: skip
        with pytest.raises(ApiError) as caught:
            await AsyncOrdersClient(client=http).create_order(_order(product_id, 1))
        assert caught.value.status == 504
        assert len(seen) == 2 and seen[0] == seen[1]
        kept = (await AsyncOrdersClient(client=http).list_orders()).items
        assert [o.state.value for o in kept] == ["unresolved"]
        assert (await _stock(base, product_id)).reserved == 1  # it may yet be confirmed
        assert await orders_app.orders.recover() == 1
        assert seen[2] == seen[0]  # the same key: one charge at most, whatever landed
        order = await AsyncOrdersClient(client=http).get_order(kept[0].id.root)
        assert (order.state.value, order.failure_reason.root.value) == (
            "failed", "payment_interrupted"
        )  # fmt: skip
        stock = await _stock(base, product_id)
        assert (stock.on_hand, stock.reserved) == (3, 0)

    run(scenario())
