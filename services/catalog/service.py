"""catalog's implementation of the generated ``CatalogService`` protocol."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from generated.catalog import models
from generated.catalog.server import CatalogService

from accord.runtime import Database, HttpProblem, Reply, new_id, utcnow

__all__ = ["Catalog"]

PAGE_MAX = 100
MAX_ON_HAND = 1_000_000  # the contract's StockLevel.on_hand maximum


def _product(row: sqlite3.Row, available: int) -> models.Product:
    return models.Product.model_validate(
        {
            "id": row["id"],
            "sku": row["sku"],
            "name": row["name"],
            "description": row["description"],
            "category": row["category"],
            "price": {"amount": row["price_amount"], "currency": row["price_currency"]},
            "status": row["status"],
            "in_stock": available > 0,
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }
    )


def _not_found(kind: str, ident: str) -> HttpProblem:
    return HttpProblem(404, "Not Found", f"{kind} {ident} does not exist")


class Catalog:
    """Products, stock and reservations in one SQLite file; stock never goes negative."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # products -----------------------------------------------------------------------------
    def list_products(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        category: str | None = None,
        q: str | None = None,
        in_stock: bool | None = None,
    ) -> models.ProductPage:
        size = min(limit or 20, PAGE_MAX)
        where, args = ["1=1"], []
        if cursor:
            where.append("p.id > ?")
            args.append(cursor)
        if category:
            where.append("p.category = ?")
            args.append(category)
        if q:
            where.append("(p.name LIKE ? OR p.sku LIKE ?)")
            args += [f"%{q}%", f"%{q}%"]
        if in_stock is not None:
            where.append(
                "(s.on_hand - s.reserved) > 0" if in_stock else "(s.on_hand - s.reserved) <= 0"
            )
        sql = (
            "SELECT p.*, s.on_hand - s.reserved AS available FROM products p "
            f"JOIN stock s ON s.product_id = p.id WHERE {' AND '.join(where)} ORDER BY p.id LIMIT ?"
        )
        with self.db.connect() as conn:
            rows = conn.execute(sql, [*args, size + 1]).fetchall()
        items = [_product(r, r["available"]) for r in rows[:size]]
        next_cursor = rows[size - 1]["id"] if len(rows) > size else None
        return models.ProductPage(items=items, next_cursor=next_cursor)

    def create_product(self, body: models.ProductCreate) -> Reply[models.Product]:
        now, ident = utcnow(), new_id("prd")
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    "INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        ident, body.sku.root, body.name.root,
                        body.description.root if body.description else None,
                        body.category.root, body.price.amount, body.price.currency.value,
                        body.status.value, now, now,
                    ),
                )  # fmt: skip
                conn.execute(
                    "INSERT INTO stock VALUES (?, ?, 0, ?)", (ident, body.initial_on_hand, now)
                )
        except sqlite3.IntegrityError:
            raise HttpProblem(
                409, "Conflict", f"a product with SKU {body.sku.root} exists"
            ) from None
        return Reply(self.get_product(ident), status=201)

    def get_product(self, product_id: str) -> models.Product:
        with self.db.connect() as conn:
            row = conn.execute(
                "SELECT p.*, s.on_hand - s.reserved AS available FROM products p "
                "JOIN stock s ON s.product_id = p.id WHERE p.id = ?",
                (product_id,),
            ).fetchone()
        if row is None:
            raise _not_found("product", product_id)
        return _product(row, row["available"])

    def update_product(self, product_id: str, body: models.ProductUpdate) -> models.Product:
        changes: dict[str, Any] = {}
        if body.name is not None:
            changes["name"] = body.name.root
        if "description" in body.model_fields_set:
            changes["description"] = body.description.root if body.description else None
        if body.category is not None:
            changes["category"] = body.category.root
        if body.price is not None:
            changes["price_amount"] = body.price.amount
            changes["price_currency"] = body.price.currency.value
        if body.status is not None:
            changes["status"] = body.status.value
        with self.db.transaction() as conn:
            if (
                conn.execute("SELECT 1 FROM products WHERE id = ?", (product_id,)).fetchone()
                is None
            ):
                raise _not_found("product", product_id)
            if changes:
                assignments = ", ".join(f"{column} = ?" for column in changes)
                conn.execute(
                    f"UPDATE products SET {assignments}, updated_at = ? WHERE id = ?",
                    (*changes.values(), utcnow(), product_id),
                )
        return self.get_product(product_id)

    # stock --------------------------------------------------------------------------------
    def _stock(self, conn: sqlite3.Connection, product_id: str) -> models.StockLevel:
        row = conn.execute("SELECT * FROM stock WHERE product_id = ?", (product_id,)).fetchone()
        if row is None:
            raise _not_found("product", product_id)
        return models.StockLevel.model_validate(
            {
                "product_id": product_id,
                "on_hand": row["on_hand"],
                "reserved": row["reserved"],
                "available": row["on_hand"] - row["reserved"],
                "updated_at": row["updated_at"],
            }
        )

    def get_product_stock(self, product_id: str) -> models.StockLevel:
        with self.db.connect() as conn:
            return self._stock(conn, product_id)

    def set_product_stock(self, product_id: str, body: models.StockSet) -> models.StockLevel:
        return self._change_stock(product_id, lambda on_hand: body.on_hand)

    def adjust_product_stock(
        self, product_id: str, body: models.StockAdjustment
    ) -> models.StockLevel:
        if body.delta == 0:
            raise HttpProblem(422, "Unprocessable Content", "an adjustment of 0 changes nothing")
        return self._change_stock(product_id, lambda on_hand: on_hand + body.delta)

    def _change_stock(self, product_id: str, new_on_hand: Any) -> models.StockLevel:
        with self.db.transaction() as conn:
            current = self._stock(conn, product_id)
            target = new_on_hand(current.on_hand)
            if target > MAX_ON_HAND:
                raise HttpProblem(
                    409, "Conflict", f"on hand would be {target}, over the {MAX_ON_HAND} maximum"
                )
            if target < current.reserved:
                raise HttpProblem(
                    409,
                    "Conflict",
                    f"on hand would be {target}, below the {current.reserved} units reserved",
                )
            conn.execute(
                "UPDATE stock SET on_hand = ?, updated_at = ? WHERE product_id = ?",
                (target, utcnow(), product_id),
            )
            return self._stock(conn, product_id)

    # reservations -------------------------------------------------------------------------
    def _reservation(self, conn: sqlite3.Connection, reservation_id: str) -> models.Reservation:
        row = conn.execute("SELECT * FROM reservations WHERE id = ?", (reservation_id,)).fetchone()
        if row is None:
            raise _not_found("reservation", reservation_id)
        lines = conn.execute(
            "SELECT product_id, quantity FROM reservation_lines WHERE reservation_id = ? "
            "ORDER BY position",
            (reservation_id,),
        ).fetchall()
        return models.Reservation.model_validate(
            {
                "id": row["id"],
                "order_id": row["order_id"],
                "state": row["state"],
                "lines": [dict(line) for line in lines],
                "expires_at": row["expires_at"],
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
            }
        )

    def create_reservation(self, body: models.ReservationCreate) -> Reply[models.Reservation]:
        wanted: dict[str, int] = {}
        for line in body.lines:
            if line.product_id.root in wanted:
                raise HttpProblem(
                    409, "Conflict", f"product {line.product_id.root} is listed twice"
                )
            wanted[line.product_id.root] = line.quantity
        now = utcnow()
        expires = (
            (datetime.now(UTC) + timedelta(seconds=body.ttl_seconds))
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        )
        ident = new_id("rsv")
        with self.db.transaction() as conn:  # BEGIN IMMEDIATE: reservations queue, never race
            for position, (product_id, quantity) in enumerate(wanted.items()):
                row = conn.execute(
                    "SELECT s.on_hand, s.reserved, p.status FROM stock s "
                    "JOIN products p ON p.id = s.product_id WHERE s.product_id = ?",
                    (product_id,),
                ).fetchone()
                if row is None or row["status"] != "active":
                    raise HttpProblem(
                        409, "Conflict", f"product {product_id} does not exist or is not active"
                    )
                available = row["on_hand"] - row["reserved"]
                if available < quantity:
                    raise HttpProblem(
                        409,
                        "Out of stock",
                        f"product {product_id}: {quantity} wanted, {available} available",
                        type="https://shop.invalid/problems/out-of-stock",
                    )
                conn.execute(
                    "UPDATE stock SET reserved = reserved + ?, updated_at = ? WHERE product_id = ?",
                    (quantity, now, product_id),
                )
                if position == 0:
                    conn.execute(
                        "INSERT INTO reservations VALUES (?, ?, 'held', ?, ?, ?)",
                        (ident, body.order_id.root, expires, now, now),
                    )
                conn.execute(
                    "INSERT INTO reservation_lines VALUES (?, ?, ?, ?)",
                    (ident, position, product_id, quantity),
                )
            return Reply(self._reservation(conn, ident), status=201)

    def list_reservations(self, *, order_id: str) -> models.ReservationList:
        with self.db.connect() as conn:
            ids = [
                r["id"]
                for r in conn.execute(
                    "SELECT id FROM reservations WHERE order_id = ? ORDER BY rowid LIMIT 100",
                    (order_id,),
                )
            ]
            return models.ReservationList(items=[self._reservation(conn, i) for i in ids])

    def get_reservation(self, reservation_id: str) -> models.Reservation:
        with self.db.connect() as conn:
            return self._reservation(conn, reservation_id)

    def release_reservation(self, reservation_id: str) -> models.Reservation:
        return self._finish(reservation_id, "released", on_hand_delta=0)

    def commit_reservation(self, reservation_id: str) -> models.Reservation:
        return self._finish(reservation_id, "committed", on_hand_delta=-1)

    def _finish(self, reservation_id: str, state: str, on_hand_delta: int) -> models.Reservation:
        with self.db.transaction() as conn:
            current = self._reservation(conn, reservation_id)
            if current.state.value == state:
                return current  # repeating a release or a commit changes nothing
            if current.state.value != "held":
                raise HttpProblem(
                    409, "Conflict", f"reservation {reservation_id} is {current.state.value}"
                )
            now = utcnow()
            for line in current.lines:
                conn.execute(
                    "UPDATE stock SET reserved = reserved - ?, on_hand = on_hand + ?, "
                    "updated_at = ? WHERE product_id = ?",
                    (line.quantity, on_hand_delta * line.quantity, now, line.product_id.root),
                )
            conn.execute(
                "UPDATE reservations SET state = ?, updated_at = ? WHERE id = ?",
                (state, now, reservation_id),
            )
            return self._reservation(conn, reservation_id)


_: type[CatalogService] = Catalog  # mypy checks Catalog against the generated protocol
