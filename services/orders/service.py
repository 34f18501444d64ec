"""orders' implementation of the generated ``OrdersService`` protocol.

Placing an order is a small saga, each step recorded before the next:

1. price every line from catalog (unknown, inactive or repeated product: 409);
2. store the order as ``pending`` (so nothing acknowledged can be lost);
3. reserve the stock in catalog (out of stock: the order ``failed``);
4. charge in payments with an Idempotency-Key derived from the order id, so a retry
   after a timeout can never charge twice (declined or unusable token: the
   reservation is released and the order ``failed``);
5. commit the reservation: the order is ``confirmed``.

When catalog or payments cannot be reached (503) or do not answer in time (504),
whatever was done is undone and the pending order is removed: the caller may retry.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from generated.catalog import models as catalog_models
from generated.catalog.client import AsyncCatalogClient
from generated.orders import models
from generated.orders.server import OrdersService
from generated.payments import models as payments_models
from generated.payments.client import AsyncPaymentsClient

from accord.runtime import ApiError, Database, HttpProblem, Reply, new_id, utcnow
from services.orders._store import load_order

__all__ = ["Dependencies", "Orders"]

log = logging.getLogger("services.orders")
T = TypeVar("T")
PAGE_MAX = 100


@dataclass(slots=True, frozen=True)
class Dependencies:
    """The two services orders calls, through their generated clients."""

    catalog: AsyncCatalogClient
    payments: AsyncPaymentsClient


class _Unavailable(Exception):
    def __init__(self, service: str, timeout: bool) -> None:
        self.service, self.timeout = service, timeout


async def _call(service: str, call: Callable[[], Awaitable[T]]) -> T:
    try:
        return await call()
    except httpx.TimeoutException:
        raise _Unavailable(service, timeout=True) from None
    except httpx.TransportError:
        raise _Unavailable(service, timeout=False) from None


def _unorderable(detail: str) -> HttpProblem:
    return HttpProblem(
        409, "Product unavailable", detail, type="https://shop.invalid/problems/product-unavailable"
    )


def _problem(exc: _Unavailable) -> HttpProblem:
    if exc.timeout:
        return HttpProblem(504, "Gateway Timeout", f"{exc.service} did not answer in time")
    return HttpProblem(503, "Service Unavailable", f"{exc.service} cannot be reached")


class Orders:
    """Orders in SQLite; catalog and payments only through their generated clients."""

    def __init__(self, db: Database, deps: Dependencies) -> None:
        self.db = db
        self.deps = deps

    # reads --------------------------------------------------------------------------------
    async def get_order(self, order_id: str) -> models.Order:
        with self.db.connect() as conn:
            order = load_order(conn, order_id)
        if order is None:
            raise HttpProblem(404, "Not Found", f"order {order_id} does not exist")
        return order

    async def list_orders(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        state: str | None = None,
        customer_id: str | None = None,
    ) -> models.OrderPage:
        size = min(limit or 20, PAGE_MAX)
        where, args = ["1=1"], []
        for column, value in (("state", state), ("customer_id", customer_id)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if cursor:
            where.append("rowid < (SELECT rowid FROM orders WHERE id = ?)")
            args.append(cursor)
        with self.db.connect() as conn:
            ids = [
                r["id"]
                for r in conn.execute(
                    f"SELECT id FROM orders WHERE {' AND '.join(where)} "
                    "ORDER BY rowid DESC LIMIT ?",
                    [*args, size + 1],
                )
            ]
            items = [o for i in ids[:size] if (o := load_order(conn, i)) is not None]
        return models.OrderPage(items=items, next_cursor=ids[size - 1] if len(ids) > size else None)

    # placing ------------------------------------------------------------------------------
    async def create_order(
        self, body: models.OrderCreate, *, idempotency_key: str | None = None
    ) -> Reply[models.Order]:
        digest = hashlib.sha256(
            json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()
        ).hexdigest()
        if idempotency_key is not None:
            replay = self._replay(idempotency_key, digest)
            if replay is not None:
                return Reply(replay, status=201)
        try:
            prices = await self._price(body)
        except _Unavailable as exc:
            raise _problem(exc) from None
        order_id = self._store_pending(body, prices, idempotency_key, digest)
        try:
            await self._fulfil(order_id, body)
        except _Unavailable as exc:
            self._discard(order_id)
            raise _problem(exc) from None
        return Reply(await self.get_order(order_id), status=201)

    def _replay(self, key: str, digest: str) -> models.Order | None:
        with self.db.connect() as conn:
            row = conn.execute(
                "SELECT request_hash, order_id FROM idempotency WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                return None
            if row["request_hash"] != digest:
                raise HttpProblem(
                    409,
                    "Idempotency-Key reused",
                    f"Idempotency-Key {key} was used for another order",
                )
            return load_order(conn, row["order_id"])

    async def _price(self, body: models.OrderCreate) -> list[int]:
        seen: set[str] = set()
        prices = []
        for line in body.lines:
            product_id = line.product_id.root
            if product_id in seen:
                raise _unorderable(f"product {product_id} is listed twice")
            seen.add(product_id)
            try:
                product = await _call(
                    "catalog", functools.partial(self.deps.catalog.get_product, product_id)
                )
            except ApiError as exc:
                if exc.status == 404:
                    raise _unorderable(f"product {product_id} does not exist") from None
                raise HttpProblem(502, "Bad Gateway", f"catalog answered {exc.status}") from None
            if product.status.value != "active":
                raise _unorderable(f"product {product_id} is not for sale")
            if product.price.currency.value != body.currency.value:
                raise _unorderable(
                    f"product {product_id} is priced in {product.price.currency.value}"
                )
            prices.append(product.price.amount)
        return prices

    def _store_pending(
        self, body: models.OrderCreate, prices: list[int], key: str | None, digest: str
    ) -> str:
        order_id, now = new_id("ord"), utcnow()
        subtotal = sum(p * line.quantity for p, line in zip(prices, body.lines, strict=True))
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO orders VALUES (?, ?, ?, 'pending', ?, ?, ?, NULL, NULL, NULL, ?, ?)",
                (order_id, body.customer_id.root, body.customer_email, body.currency.value,
                 subtotal, subtotal, now, now),
            )  # fmt: skip
            for position, (price, line) in enumerate(zip(prices, body.lines, strict=True)):
                conn.execute(
                    "INSERT INTO order_lines VALUES (?, ?, ?, ?, ?)",
                    (order_id, position, line.product_id.root, line.quantity, price),
                )
            if key is not None:
                conn.execute("INSERT INTO idempotency VALUES (?, ?, ?)", (key, digest, order_id))
        return order_id

    def _update(self, order_id: str, **fields: Any) -> None:
        assignments = ", ".join(f"{k} = ?" for k in fields)
        with self.db.transaction() as conn:
            conn.execute(
                f"UPDATE orders SET {assignments}, updated_at = ? WHERE id = ?",
                (*fields.values(), utcnow(), order_id),
            )

    def _discard(self, order_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM orders WHERE id = ?", (order_id,))

    async def _fulfil(self, order_id: str, body: models.OrderCreate) -> None:
        order = await self.get_order(order_id)
        reservation_body = catalog_models.ReservationCreate.model_validate(
            {"order_id": order_id, "lines": [line.model_dump(mode="json") for line in body.lines]}
        )
        try:
            reservation = await _call(
                "catalog", lambda: self.deps.catalog.create_reservation(reservation_body)
            )
        except ApiError as exc:
            if exc.status == 409:
                self._update(order_id, state="failed", failure_reason="out_of_stock")
                return
            raise HttpProblem(502, "Bad Gateway", f"catalog answered {exc.status}") from None
        reservation_id = reservation.id.root
        self._update(order_id, reservation_id=reservation_id)
        try:
            charge = await self._charge(order_id, order.total.root, body)
        except ApiError as exc:
            await self._release(reservation_id)
            if exc.status == 402:
                self._update(order_id, state="failed", failure_reason="payment_method_unusable")
                return
            raise HttpProblem(502, "Bad Gateway", f"payments answered {exc.status}") from None
        except _Unavailable:
            await self._release(reservation_id)
            raise
        self._update(order_id, charge_id=charge.id.root)
        if charge.status.value == "declined":
            await self._release(reservation_id)
            self._update(order_id, state="failed", failure_reason="payment_declined")
            return
        try:
            await _call("catalog", lambda: self.deps.catalog.commit_reservation(reservation_id))
        except _Unavailable:
            await self._refund(charge.id.root)
            await self._release(reservation_id)
            raise
        self._update(order_id, state="confirmed")

    async def _charge(
        self, order_id: str, total: int, body: models.OrderCreate
    ) -> payments_models.Charge:
        request = payments_models.ChargeCreate.model_validate(
            {
                "amount": total,
                "currency": body.currency.value,
                "order_id": order_id,
                "payment_token": body.payment_token.root,
            }
        )
        key = f"order-{order_id}"  # the same key on retry: payments never charges twice
        for attempt in (1, 2):
            try:
                return await _call(
                    "payments",
                    lambda: self.deps.payments.create_charge(request, idempotency_key=key),
                )
            except _Unavailable as exc:
                if not exc.timeout or attempt == 2:
                    raise
                log.warning("charge for %s timed out; retrying with the same key", order_id)
        raise AssertionError("unreachable")

    async def _release(self, reservation_id: str) -> None:
        try:
            await _call("catalog", lambda: self.deps.catalog.release_reservation(reservation_id))
        except (_Unavailable, ApiError):
            log.error("could not release reservation %s; it expires on its own", reservation_id)

    async def _refund(self, charge_id: str) -> None:
        refund = payments_models.RefundCreate.model_validate({"reason": "order_cancelled"})
        try:
            await _call(
                "payments",
                lambda: self.deps.payments.create_refund(
                    charge_id, refund, idempotency_key=f"refund-{charge_id}"
                ),
            )
        except (_Unavailable, ApiError):
            log.error("could not refund charge %s; needs attention", charge_id)

    # cancelling ---------------------------------------------------------------------------
    async def cancel_order(
        self, order_id: str, body: models.OrderCancel | None = None
    ) -> models.Order:
        order = await self.get_order(order_id)
        if order.state.value != "confirmed":
            raise HttpProblem(409, "Conflict", f"order {order_id} is {order.state.value}")
        try:
            if order.charge_id is not None:
                refund = payments_models.RefundCreate.model_validate({"reason": "order_cancelled"})
                await _call(
                    "payments",
                    lambda: self.deps.payments.create_refund(
                        order.charge_id or "", refund, idempotency_key=f"cancel-{order_id}"
                    ),
                )
            for line in order.lines:
                adjustment = catalog_models.StockAdjustment.model_validate(
                    {
                        "delta": line.quantity,
                        "reason": "returned",
                        "note": f"order {order_id} cancelled",
                    }
                )
                await _call(
                    "catalog",
                    functools.partial(
                        self.deps.catalog.adjust_product_stock, line.product_id.root, adjustment
                    ),
                )
        except _Unavailable as exc:
            raise _problem(exc) from None
        self._update(order_id, state="cancelled")
        return await self.get_order(order_id)


_: type[OrdersService] = Orders  # mypy checks Orders against the generated protocol
