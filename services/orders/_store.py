"""orders' SQLite schema and row <-> model mapping."""

from __future__ import annotations

import sqlite3

from generated.orders import models

from services.orders.events import OUTBOX_SCHEMA

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    customer_email TEXT,
    state TEXT NOT NULL,
    currency TEXT NOT NULL,
    subtotal INTEGER NOT NULL,
    total INTEGER NOT NULL,
    reservation_id TEXT,
    charge_id TEXT,
    failure_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_customer ON orders(customer_id);
CREATE TABLE IF NOT EXISTS order_lines (
    order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price INTEGER NOT NULL,
    PRIMARY KEY (order_id, position)
);
-- the payment token of an order being placed, kept until the order is settled, so
-- recovery can repeat the charge with the same Idempotency-Key (a late, stalled first
-- request then cannot charge a second time, nor charge an order recovery failed)
CREATE TABLE IF NOT EXISTS charge_requests (
    order_id TEXT PRIMARY KEY REFERENCES orders(id) ON DELETE CASCADE,
    payment_token TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE
);
"""
    + OUTBOX_SCHEMA
)


def load_order(conn: sqlite3.Connection, order_id: str) -> models.Order | None:
    row = conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
    if row is None:
        return None
    lines = conn.execute(
        "SELECT * FROM order_lines WHERE order_id = ? ORDER BY position", (order_id,)
    ).fetchall()
    return models.Order.model_validate(
        {
            **{k: row[k] for k in row.keys()},  # noqa: SIM118  (sqlite3.Row is not a Mapping)
            "lines": [
                {
                    "product_id": line["product_id"],
                    "quantity": line["quantity"],
                    "unit_price": line["unit_price"],
                    "line_total": line["unit_price"] * line["quantity"],
                }
                for line in lines
            ],
        }
    )
