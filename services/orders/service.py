"""orders' implementation of the generated ``OrdersService`` protocol.

Placing an order is a small saga, each step recorded before the next:

1. price every line from catalog (unknown, inactive or repeated product: 409);
2. store the order as ``pending`` (so nothing acknowledged can be lost);
3. reserve the stock in catalog (out of stock: the order ``failed``);
4. charge in payments with an Idempotency-Key derived from the order id, so a retry
   after a timeout can never charge twice (declined or unusable token: the
   reservation is released and the order ``failed``);
5. commit the reservation: the order is ``confirmed``.

When catalog cannot be reached (503) before the stock is reserved, the pending order
is removed: the caller may retry. Once a reservation may exist, an order is never
deleted: if catalog or payments stop answering, what was reserved or charged is
unknown, so the order becomes ``unresolved`` (the caller gets the 503/504).
:meth:`Orders.recover` (run at start and periodically) finishes every ``unresolved``
order, and every ``pending`` one no request of this process is working on (a crash
leaves those): it finds a reservation it never heard of by order id, looks the charge
up by its idempotency key (none yet: it charges again with that key, so a stalled
first request can never land afterwards), then commits the reservation and confirms,
or releases the stock, refunds any charge and fails the order (``payment_interrupted``).

An ``Idempotency-Key`` is claimed in the transaction that stores the pending order
(``INSERT ... ON CONFLICT DO NOTHING`` under ``BEGIN IMMEDIATE``): concurrent requests
with one key get 409 "in progress" while the first is being placed, the stored order
once it is finished, and 409 "reused" if their body differs.

``exit_at`` (``ORDERS_FAULT_EXIT_AT``, tests only) makes the process exit at a named
saga point: ``after_reserve``, ``after_charge``, ``after_commit``, ``event_committed`` (an
order settled and its event committed to the outbox, not yet published).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import os
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
from generated.runtime import ApiError

from accord.runtime import Database, HttpProblem, Reply, new_id, utcnow
from services.orders._store import load_order
from services.orders.events import EVENT_KINDS, record_event

__all__ = ["Dependencies", "Orders"]

log = logging.getLogger("services.orders")
T = TypeVar("T")
PAGE_MAX = 100


@dataclass(slots=True, frozen=True)
class Dependencies:
    """The two services orders calls, through their generated clients."""

    catalog: AsyncCatalogClient
    payments: AsyncPaymentsClient


class _KeyTaken(Exception):
    """Another request already holds this Idempotency-Key."""


class _Unavailable(Exception):
    """A dependency gave no usable answer: what the request did there is unknown unless
    ``maybe_sent`` is False (no connection was made, the request never left)."""

    def __init__(self, service: str, timeout: bool, maybe_sent: bool = True) -> None:
        super().__init__(f"{service} {'timed out' if timeout else 'is unavailable'}")
        self.service, self.timeout = service, timeout
        self.maybe_sent = maybe_sent


class _BadAnswer(_Unavailable):
    """A dependency answered, but with a server error or something its contract does not
    allow (not JSON, cut short, the wrong shape): the request may have taken effect (502)."""

    def __init__(self, service: str, what: str) -> None:
        super().__init__(service, timeout=False)
        self.what = what
        self.args = (f"{service} {what}",)


_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout)


async def _call(service: str, call: Callable[[], Awaitable[T | None]]) -> T:
    """``call()``'s parsed answer. Anything but a documented answer or a 4xx refusal
    (``ApiError``, a decision of the dependency's) raises :class:`_Unavailable`: a
    transport failure, a 5xx (503 and 504 keep their meaning), or an answer its contract
    does not allow, an undocumented 2xx included (:class:`_BadAnswer`)."""
    try:
        result = await call()
    except httpx.TimeoutException as exc:
        log.warning("%s: %s %s", service, type(exc).__name__, exc)
        raise _Unavailable(service, True, not isinstance(exc, _NEVER_SENT)) from None
    except httpx.TransportError as exc:
        log.warning("%s: %s %s", service, type(exc).__name__, exc)
        raise _Unavailable(service, False, not isinstance(exc, _NEVER_SENT)) from None
    except ApiError as exc:
        if 400 <= exc.status < 500:
            raise
        if exc.status in (503, 504):
            raise _Unavailable(service, exc.status == 504) from None
        raise _BadAnswer(service, f"answered {exc.status}") from None
    except (ValueError, httpx.DecodingError) as exc:  # not JSON, or not the documented shape
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _BadAnswer(service, f"answered against its contract ({first})") from None
    if result is None:  # every call orders makes documents a body
        raise _BadAnswer(service, "answered with no body")
    return result


def _unorderable(detail: str) -> HttpProblem:
    return HttpProblem(
        409, "Product unavailable", detail, type="https://shop.invalid/problems/product-unavailable"
    )


def _problem(exc: _Unavailable, kept: str | None = None) -> HttpProblem:
    if isinstance(exc, _BadAnswer):
        detail = f"{exc.service} {exc.what}"
    elif exc.timeout:
        detail = f"{exc.service} did not answer in time"
    else:
        detail = f"{exc.service} cannot be reached"
    if kept is not None:
        detail += f"; order {kept} is kept as unresolved and will be finished"
    if isinstance(exc, _BadAnswer):
        return HttpProblem(502, "Bad Gateway", detail)
    if exc.timeout:
        return HttpProblem(504, "Gateway Timeout", detail)
    return HttpProblem(503, "Service Unavailable", detail)


def _in_progress(key: str) -> HttpProblem:
    return HttpProblem(
        409,
        "Request in progress",
        f"a request with Idempotency-Key {key} is still being processed; retry later",
        type="https://problems.shop.invalid/request-in-progress",
    )


class Orders:
    """Orders in SQLite; catalog and payments only through their generated clients."""

    def __init__(self, db: Database, deps: Dependencies, *, exit_at: str | None = None) -> None:
        self.db = db
        self.deps = deps
        self.exit_at = exit_at
        self._in_flight: set[str] = set()  # orders a request of this process is placing
        self._cancelling: set[str] = set()  # orders a request of this process is cancelling

    def _fault(self, point: str) -> None:
        if self.exit_at == point:  # a test's way to kill the process at a saga point
            log.warning("exiting at %s, as ORDERS_FAULT_EXIT_AT asks", point)
            os._exit(70)

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
        try:
            order_id = self._store_pending(body, prices, idempotency_key, digest)
        except _KeyTaken:
            assert idempotency_key is not None
            replay = self._replay(idempotency_key, digest)
            if replay is None:  # the first request was undone meanwhile: it may be retried
                raise _in_progress(idempotency_key) from None
            return Reply(replay, status=201)
        try:
            await self._fulfil(order_id, body)
        except _Unavailable as exc:
            if (await self.get_order(order_id)).state.value == "pending":
                self._discard(order_id)  # nothing was reserved: nothing to resolve
                raise _problem(exc) from None
            raise _problem(exc, kept=order_id) from None
        finally:
            self._in_flight.discard(order_id)
        return Reply(await self.get_order(order_id), status=201)

    def _replay(self, key: str, digest: str) -> models.Order | None:
        with self.db.connect() as conn:
            row = conn.execute(
                "SELECT request_hash, order_id FROM idempotency WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                return None
            if row["request_hash"] != digest:
                # 409 as before, not the IETF draft's 422: testers read 422 as "invalid body"
                raise HttpProblem(
                    409,
                    "Idempotency-Key reused",
                    f"Idempotency-Key {key} was used for another order",
                    type="https://problems.shop.invalid/idempotency-key-reused",
                )
            order = load_order(conn, row["order_id"])
        if order is not None and order.state.value in ("pending", "unresolved"):
            raise _in_progress(key)
        return order

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
            conn.execute(
                "INSERT INTO charge_requests VALUES (?, ?)", (order_id, body.payment_token.root)
            )
            if key is not None:
                claimed = conn.execute(
                    "INSERT INTO idempotency VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
                    (key, digest, order_id),
                ).rowcount
                if not claimed:
                    raise _KeyTaken  # rolls the order back
        self._in_flight.add(order_id)
        return order_id

    def _update(self, order_id: str, **fields: Any) -> None:
        assignments = ", ".join(f"{k} = ?" for k in fields)
        with self.db.transaction() as conn:
            conn.execute(
                f"UPDATE orders SET {assignments}, updated_at = ? WHERE id = ?",
                (*fields.values(), utcnow(), order_id),
            )
            if fields.get("state") not in (None, "pending", "unresolved"):  # settled
                conn.execute("DELETE FROM charge_requests WHERE order_id = ?", (order_id,))
            settled = load_order(conn, order_id) if fields.get("state") in EVENT_KINDS else None
            if settled is not None:  # its event commits with it (the outbox)
                record_event(conn, settled)
        if settled is not None:
            self._fault("event_committed")

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
        except _Unavailable as exc:
            if exc.maybe_sent:  # stock may be held: recovery finds the reservation by order
                self._update(order_id, state="unresolved")
            raise
        except ApiError as exc:
            if exc.status == 409:
                self._update(order_id, state="failed", failure_reason="out_of_stock")
                return
            # refused: nothing is reserved, so the caller's order is dropped (502)
            raise _BadAnswer("catalog", f"refused the reservation ({exc.status})") from None
        reservation_id = reservation.id.root
        self._update(order_id, reservation_id=reservation_id)
        self._fault("after_reserve")
        try:
            charge = await self._charge(order, body.payment_token.root)
        except ApiError as exc:  # payments refused: nothing was charged
            if exc.status == 402:
                await self._fail(order_id, reservation_id, "payment_method_unusable")
                return
            await self._fail(order_id, reservation_id, "payment_interrupted")
            raise HttpProblem(502, "Bad Gateway", f"payments answered {exc.status}") from None
        except _Unavailable as exc:
            if exc.maybe_sent or not await self._release(reservation_id):
                self._update(order_id, state="unresolved")  # recovery finds out and finishes
            raise
        self._fault("after_charge")
        self._update(order_id, charge_id=charge.id.root)
        if charge.status.value == "declined":
            await self._fail(order_id, reservation_id, "payment_declined")
            return
        try:
            await _call("catalog", lambda: self.deps.catalog.commit_reservation(reservation_id))
        except _Unavailable:
            self._update(order_id, state="unresolved")
            raise
        except ApiError:  # the reservation is no longer held: undo the charge
            if not await self._undo(order_id, reservation_id, charge):
                self._update(order_id, state="unresolved")  # recovery refunds and releases
                raise _Unavailable("catalog or payments", timeout=False) from None
            return
        self._fault("after_commit")
        self._update(order_id, state="confirmed")

    async def _fail(self, order_id: str, reservation_id: str, reason: str) -> None:
        """Release the stock and fail the order. When catalog cannot release it now, the order
        is kept ``unresolved`` (recovery releases it, never leaving stock held for a failed
        order) and the caller gets the 503/504."""
        if not await self._release(reservation_id):
            self._update(order_id, state="unresolved")
            raise _Unavailable("catalog", timeout=False)
        self._update(order_id, state="failed", failure_reason=reason)

    async def _charge(
        self, order: models.Order, payment_token: str, *, attempts: int = 2
    ) -> payments_models.Charge:
        order_id = order.id.root
        request = payments_models.ChargeCreate.model_validate(
            {
                "amount": order.total.root,
                "currency": order.currency.value,
                "order_id": order_id,
                "payment_token": payment_token,
            }
        )
        key = f"order-{order_id}"  # the same key on retry: payments never charges twice
        for attempt in range(1, attempts + 1):
            try:
                return await _call(
                    "payments",
                    lambda: self.deps.payments.create_charge(request, idempotency_key=key),
                )
            except _Unavailable as exc:
                if attempt == attempts:
                    raise _Unavailable("payments", exc.timeout) from None  # 1st may have landed
                if not exc.timeout:
                    raise
                log.warning("charge for %s timed out; retrying with the same key", order_id)
        raise AssertionError("unreachable")

    async def _release(self, reservation_id: str) -> bool:
        """Release the reservation; False if catalog could not be reached (try again later)."""
        try:
            await _call("catalog", lambda: self.deps.catalog.release_reservation(reservation_id))
        except _Unavailable:
            log.error("could not release reservation %s; recovery retries", reservation_id)
            return False
        except ApiError as exc:  # 409: committed or released already; 404: gone
            log.warning("reservation %s not released: catalog answered %s", reservation_id, exc)
        return True

    async def _refund(self, charge_id: str) -> bool:
        """Refund what is left of the charge; False if payments could not be reached."""
        refund = payments_models.RefundCreate.model_validate({"reason": "order_cancelled"})
        try:
            await _call(
                "payments",
                lambda: self.deps.payments.create_refund(
                    charge_id, refund, idempotency_key=f"refund-{charge_id}"
                ),
            )
        except _Unavailable:
            log.error("could not refund charge %s; recovery retries", charge_id)
            return False
        except ApiError as exc:  # 409: refunded already
            log.warning("charge %s not refunded: payments answered %s", charge_id, exc)
        return True

    async def _undo(
        self, order_id: str, reservation_id: str | None, charge: payments_models.Charge | None
    ) -> bool:
        """Refund any charge, release the stock, fail the order; False if not done yet."""
        succeeded = charge is not None and charge.status.value == "succeeded"
        owed = charge is not None and succeeded and charge.amount_refunded < charge.amount.root
        if charge is not None and owed and not await self._refund(charge.id.root):
            return False
        if reservation_id is not None and not await self._release(reservation_id):
            return False
        declined = charge is not None and not succeeded
        self._update(
            order_id,
            state="failed",
            failure_reason="payment_declined" if declined else "payment_interrupted",
            charge_id=charge.id.root if charge is not None else None,
        )
        return True

    # recovery -----------------------------------------------------------------------------
    async def recover(self) -> int:
        """Finish every order whose placement was interrupted; how many were finished."""
        with self.db.connect() as conn:
            ids = [
                r["id"]
                for r in conn.execute(
                    "SELECT id FROM orders WHERE state IN ('pending', 'unresolved') ORDER BY rowid"
                )
            ]
        finished = 0
        for order_id in ids:
            if order_id in self._in_flight:
                continue  # a request of this process is still placing it
            with self.db.connect() as conn:
                order = load_order(conn, order_id)
            if order is None or order.state.value not in ("pending", "unresolved"):
                continue  # its request settled or discarded it while this round ran
            if await self._resolve(order):
                finished += 1
        return finished

    def _payment_token(self, order_id: str) -> str | None:
        with self.db.connect() as conn:
            row = conn.execute(
                "SELECT payment_token FROM charge_requests WHERE order_id = ?", (order_id,)
            ).fetchone()
        return None if row is None else str(row["payment_token"])

    async def keep_recovering(self, interval: float) -> None:
        """:meth:`recover` now and every ``interval`` seconds (a background task)."""
        while True:
            try:
                finished = await self.recover()
            except Exception:  # one bad round must not end the loop; the next one retries
                log.exception("order recovery failed")
            else:
                if finished:
                    log.info("recovery finished %d interrupted order(s)", finished)
            await asyncio.sleep(interval)

    async def _resolve(self, order: models.Order) -> bool:
        order_id = order.id.root
        if order.reservation_id is None:  # reserved at catalog without hearing back?
            try:
                found = await _call(
                    "catalog", lambda: self.deps.catalog.list_reservations(order_id=order_id)
                )
            except (_Unavailable, ApiError) as exc:
                log.warning("cannot resolve %s yet: %s", order_id, exc)
                return False
            held = [r.id.root for r in found.items if r.state.value == "held"]
            for extra in held[1:]:  # one order, one reservation: anything more is released
                if not await self._release(extra):
                    return False
            if held:
                self._update(order_id, reservation_id=held[0])
                order = await self.get_order(order_id)
        try:
            page = await _call(
                "payments",
                lambda: self.deps.payments.list_charges(idempotency_key=f"order-{order_id}"),
            )
        except (_Unavailable, ApiError) as exc:
            log.warning("cannot resolve %s yet: %s", order_id, exc)
            return False
        charge = page.items[0] if page.items else None
        reservation_id = order.reservation_id
        token = self._payment_token(order_id)
        if charge is None and reservation_id and token is not None:
            # "no charge" may only mean a stalled request has not landed yet: charging again
            # with the same key settles it either way (payments charges a key at most once)
            try:
                charge = await self._charge(order, token, attempts=1)
            except _Unavailable:
                return False
            except ApiError as exc:
                log.warning("charge for %s refused on recovery: %s", order_id, exc)
        taken = charge is not None and charge.status.value == "succeeded"
        if charge is not None and taken and reservation_id and charge.amount_refunded == 0:
            try:
                await _call("catalog", lambda: self.deps.catalog.commit_reservation(reservation_id))
            except _Unavailable:
                return False
            except ApiError:
                pass  # no longer held: undo below
            else:
                self._update(order_id, state="confirmed", charge_id=charge.id.root)
                return True
        return await self._undo(order_id, reservation_id, charge)

    # cancelling ---------------------------------------------------------------------------
    async def cancel_order(
        self, order_id: str, body: models.OrderCancel | None = None
    ) -> models.Order:
        order = await self.get_order(order_id)
        if order.state.value != "confirmed":
            raise HttpProblem(409, "Conflict", f"order {order_id} is {order.state.value}")
        if order_id in self._cancelling:  # checked and claimed with no await in between
            raise HttpProblem(
                409, "Conflict", f"order {order_id} is being cancelled by another request"
            )
        self._cancelling.add(order_id)
        try:
            return await self._cancel(order)
        finally:
            self._cancelling.discard(order_id)

    async def _cancel(self, order: models.Order) -> models.Order:
        order_id = order.id.root
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
        except ApiError as exc:  # refused: the order stays confirmed, the caller may retry
            raise HttpProblem(502, "Bad Gateway", str(exc)) from None
        self._update(order_id, state="cancelled")
        return await self.get_order(order_id)


_: type[OrdersService] = Orders  # mypy checks Orders against the generated protocol
