"""The provider states catalog's consumers' pacts use, set up against its own database."""

from __future__ import annotations

import sqlite3

from accord.runtime import Database, ProviderStates, utcnow

__all__ = ["provider_states"]


def _forget_reservations_of(conn: sqlite3.Connection, product_id: str) -> None:
    """Whole reservations go, never just their lines (a reservation has at least one line)."""
    ids = [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT reservation_id FROM reservation_lines WHERE product_id = ?",
            (product_id,),
        )
    ]
    for reservation_id in ids:
        conn.execute("DELETE FROM reservation_lines WHERE reservation_id = ?", (reservation_id,))
        conn.execute("DELETE FROM reservations WHERE id = ?", (reservation_id,))


def provider_states(db: Database) -> ProviderStates:
    states = ProviderStates()

    def put_product(
        conn: sqlite3.Connection, product_id: str, on_hand: int, price: int = 1299
    ) -> None:
        now = utcnow()
        execute = conn.execute
        _forget_reservations_of(conn, product_id)
        execute("DELETE FROM stock WHERE product_id = ?", (product_id,))
        execute("DELETE FROM products WHERE id = ?", (product_id,))
        execute(
            "INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, 'EUR', 'active', ?, ?)",
            (product_id, f"SKU-{product_id[4:12].upper()}", "Espresso cup", None, "kitchen",
             price, now, now),
        )  # fmt: skip
        execute("INSERT INTO stock VALUES (?, ?, 0, ?)", (product_id, on_hand, now))

    @states.state("product {product_id} exists")
    def product_exists(product_id: str) -> None:
        with db.transaction() as conn:
            put_product(conn, product_id, 10)

    @states.state("product {product_id} has {count} in stock")
    def product_has_stock(product_id: str, count: str) -> None:
        with db.transaction() as conn:
            put_product(conn, product_id, int(count))

    @states.state("product {product_id} does not exist")
    def product_missing(product_id: str) -> None:
        with db.transaction() as conn:
            _forget_reservations_of(conn, product_id)
            conn.execute("DELETE FROM stock WHERE product_id = ?", (product_id,))
            conn.execute("DELETE FROM products WHERE id = ?", (product_id,))

    @states.state("reservation {reservation_id} is held for product {product_id}")
    def reservation_held(reservation_id: str, product_id: str) -> None:
        now = utcnow()
        with db.transaction() as conn:
            put_product(conn, product_id, 10)
            conn.execute(
                "DELETE FROM reservation_lines WHERE reservation_id = ?", (reservation_id,)
            )
            conn.execute("DELETE FROM reservations WHERE id = ?", (reservation_id,))
            conn.execute(
                "INSERT INTO reservations VALUES (?, 'ord_Q4m8TzR2vW6y', 'held', ?, ?, ?)",
                (reservation_id, "2999-01-01T00:00:00.000Z", now, now),
            )
            conn.execute(
                "INSERT INTO reservation_lines VALUES (?, 0, ?, 1)", (reservation_id, product_id)
            )
            conn.execute("UPDATE stock SET reserved = 1 WHERE product_id = ?", (product_id,))

    return states
