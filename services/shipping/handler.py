"""shipping's handling of orders' events: durable, idempotent, one transaction per event.

An event is handled in one ``BEGIN IMMEDIATE`` transaction that first claims its id in
``handled_events`` (``INSERT ... ON CONFLICT DO NOTHING``); a repeat (JetStream redelivers
what was not acknowledged) claims nothing and changes nothing. The message is acknowledged
only after the commit, so a crash in between means one more delivery, never a lost event.
"""

from __future__ import annotations

import json
from typing import Any

from generated.orders_events import peer

from accord.runtime import Database, utcnow

__all__ = ["SCHEMA", "BadEvent", "Shipping"]

#: what each event shipping acts on does to the order's shipment
CHANGES = {"order.confirmed": "ready", "order.cancelled": "cancelled"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS handled_events (
    event_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    handled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shipments (
    order_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,          -- ready | cancelled
    customer_id TEXT NOT NULL,
    lines TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- one row per change a handled event made (a repeat that got through would show twice)
CREATE TABLE IF NOT EXISTS effects (
    event_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    change TEXT NOT NULL
);
"""


class BadEvent(ValueError):
    """A message that is not an order event shipping can read (it is dropped, not retried)."""


class Shipping:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def parse(body: bytes | str | None, subject: str | None = None) -> peer.Received:
        """The event, read by the models generated from orders' AsyncAPI document
        (``generated/orders_events``): those of ``subject`` 's channel when it is known."""
        try:
            return peer.parse(body or b"", subject)
        except peer.InvalidMessage as exc:
            raise BadEvent(f"not an order event: {exc}".splitlines()[0]) from None

    def handle(self, body: bytes | str | None, metadata: dict[str, Any] | None = None) -> bool:
        """Apply one event; False when it was handled before (or is not for shipping).

        ``metadata`` may name the ``subject`` the event came on (NATS, message pacts)."""
        subject = (metadata or {}).get("subject")
        event = self.parse(body, subject if isinstance(subject, str) else None)
        if event.type == "order.failed":
            return False  # nothing was ever shipped for it
        if event.type not in CHANGES:
            raise BadEvent(f"not an order event: unknown type {event.type!r}")
        with self.db.transaction() as conn:
            claimed = conn.execute(
                "INSERT INTO handled_events VALUES (?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
                (event.event_id, event.type, utcnow()),
            ).rowcount
            if not claimed:
                return False
            if event.type == "order.confirmed":
                lines = json.dumps([line.model_dump(mode="json") for line in event.lines])
                conn.execute(
                    "INSERT INTO shipments VALUES (?, 'ready', ?, ?, ?) "
                    "ON CONFLICT (order_id) DO NOTHING",  # a cancel that came first wins
                    (event.order_id, event.customer_id, lines, utcnow()),
                )
                change = "ready"
            else:
                conn.execute(
                    "INSERT INTO shipments VALUES (?, 'cancelled', ?, '[]', ?) "
                    "ON CONFLICT (order_id) DO UPDATE SET state = 'cancelled', updated_at = ?",
                    (event.order_id, event.customer_id, utcnow(), utcnow()),
                )
                change = "cancelled"
            conn.execute(
                "INSERT INTO effects VALUES (?, ?, ?)", (event.event_id, event.order_id, change)
            )
        return True

    def shipment(self, order_id: str) -> dict[str, Any] | None:
        with self.db.connect() as conn:
            row = conn.execute("SELECT * FROM shipments WHERE order_id = ?", (order_id,)).fetchone()
        if row is None:
            return None
        return {
            "order_id": row["order_id"],
            "state": row["state"],
            "lines": json.loads(row["lines"]),
        }
