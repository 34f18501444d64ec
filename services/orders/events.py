"""orders' events (``contracts/asyncapi/orders.yaml``): a transactional outbox and its relay.

An order that settles (``confirmed``, ``cancelled``, ``failed``) gets its event row in
``outbox`` in the same transaction that changes its state (:func:`record_event`), so the
two are committed together or not at all. :class:`OutboxRelay` (a background task of the
served app) publishes every unpublished row to NATS JetStream in order, waits for the
stream's acknowledgement and only then marks the row published. A process killed between
the commit and the publish leaves the row unpublished, and the next relay publishes it:
delivery is at least once. The ``Nats-Msg-Id`` header is the event id, so JetStream
drops a repeat within its duplicate window, and consumers drop any later one by id.

A row the event's model refuses (or whose order id cannot be part of a subject) would
never publish: the relay moves it to ``outbox_dead_letters`` with the reason, in one
transaction, logs it at error level and goes on with the rows after it. Nothing is
deleted; the service's ``/healthz`` says ``"outbox": "degraded, N dead-lettered"`` for as
long as dead letters are kept (:func:`outbox_health`). A broker that is away is not
the row's fault: those rows stay and are retried.

Once the cause is dealt with (a release whose model takes the event, or a row mended by
hand), :func:`replay_dead_letters` checks each dead letter again with the current models
and moves the ones that pass back to the outbox, under their old sequence number, in one
transaction; the others stay with the new reason. ``python -m services.orders
dead-letters`` lists them and ``... dead-letters replay ID...|--all`` replays them
(``services/orders/__main__.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from generated.orders import models
from generated.orders_events import app as event_app
from generated.orders_events import models as event_models
from generated.orders_events.runtime import fill
from pydantic import ValidationError

from accord.runtime import Database, new_id, utcnow
from services._broker import ensure_stream

__all__ = [
    "EVENT_KINDS",
    "OUTBOX_SCHEMA",
    "STREAM",
    "SUBJECTS",
    "DeadLetter",
    "OutboxRelay",
    "Replay",
    "dead_letters",
    "event_for",
    "outbox_health",
    "record_event",
    "replay_dead_letters",
]

log = logging.getLogger("services.orders.events")

STREAM = "ORDERS"
SUBJECTS = ["orders.>"]
#: the order states that publish an event, and the event's type
EVENT_KINDS = {
    "confirmed": "order.confirmed",
    "cancelled": "order.cancelled",
    "failed": "order.failed",
}

OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    published_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox(seq) WHERE published_at IS NULL;
-- rows the relay could never publish (the event's model refuses them), kept with the reason
CREATE TABLE IF NOT EXISTS outbox_dead_letters (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    dead_at TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""


def event_for(
    order: models.Order, event_id: str | None = None, occurred_at: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The subject and payload of the event for ``order``'s (settled) state."""
    data = order.model_dump(mode="json")
    state = data["state"]
    payload: dict[str, Any] = {
        "event_id": event_id or new_id("evt"),
        "type": EVENT_KINDS[state],
        "occurred_at": occurred_at or utcnow(),
        "order_id": data["id"],
        "customer_id": data["customer_id"],
        "currency": data["currency"],
        "total": data["total"],
        "lines": [
            {"product_id": line["product_id"], "quantity": line["quantity"]}
            for line in data["lines"]
        ],
    }
    if state == "failed" and data.get("failure_reason"):
        payload["reason"] = data["failure_reason"]
    return f"orders.{data['id']}.{state}", payload


def record_event(conn: sqlite3.Connection, order: models.Order) -> str | None:
    """Add the event of ``order``'s state to the outbox in the caller's transaction."""
    if order.state.value not in EVENT_KINDS:
        return None
    subject, payload = event_for(order)
    conn.execute(
        "INSERT INTO outbox (event_id, subject, payload, created_at) VALUES (?, ?, ?, ?)",
        (payload["event_id"], subject, json.dumps(payload, sort_keys=True), utcnow()),
    )
    return str(payload["event_id"])


def outbox_health(db: Database) -> dict[str, Any]:
    """The outbox's part of ``/healthz``: ``degraded`` while dead letters are kept."""
    with db.connect() as conn:
        (dead,) = conn.execute("SELECT count(*) FROM outbox_dead_letters").fetchone()
    if not dead:
        return {"status": "ok", "outbox": "ok"}
    return {
        "status": "degraded",
        "outbox": f"degraded, {dead} dead-lettered",
        "dead_lettered": dead,
    }


@dataclass(slots=True, frozen=True)
class DeadLetter:
    """A kept row of ``outbox_dead_letters``: why it was refused and when."""

    seq: int
    event_id: str
    subject: str
    dead_at: str
    reason: str


@dataclass(slots=True)
class Replay:
    """What :func:`replay_dead_letters` did: rows moved back to the outbox, rows still
    refused (with the new reason) and ids that name no dead letter."""

    replayed: list[DeadLetter] = field(default_factory=list)
    refused: list[DeadLetter] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def dead_letters(db: Database) -> list[DeadLetter]:
    """Every kept dead letter, oldest first."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT seq, event_id, subject, dead_at, reason FROM outbox_dead_letters ORDER BY seq"
        ).fetchall()
    return [DeadLetter(*row) for row in rows]


def replay_dead_letters(db: Database, ids: Sequence[str] | None = None) -> Replay:
    """Check the dead letters ``ids`` names (event ids or sequence numbers; None: all) with
    the current models, and in one transaction move those that pass back to the outbox
    (under their old sequence number, so the relay publishes them next) and give those
    still refused their new reason."""
    done = Replay()
    with db.transaction() as conn:
        rows = conn.execute("SELECT * FROM outbox_dead_letters ORDER BY seq").fetchall()
        chosen = rows
        if ids is not None:
            by_id = {key: row for row in rows for key in (row["event_id"], str(row["seq"]))}
            done.unknown = [i for i in dict.fromkeys(ids) if i not in by_id]
            wanted = {by_id[i]["seq"] for i in ids if i in by_id}
            chosen = [row for row in rows if row["seq"] in wanted]
        for row in chosen:
            reason = _refusal(conn, row)
            letter = DeadLetter(row["seq"], row["event_id"], row["subject"], row["dead_at"],
                                reason or row["reason"])  # fmt: skip
            if reason is not None:
                conn.execute(
                    "UPDATE outbox_dead_letters SET reason = ? WHERE seq = ?", (reason, row["seq"])
                )
                done.refused.append(letter)
                continue
            conn.execute(
                "INSERT INTO outbox (seq, event_id, subject, payload, created_at) "
                "SELECT seq, event_id, subject, payload, created_at FROM outbox_dead_letters "
                "WHERE seq = ?",
                (row["seq"],),
            )
            conn.execute("DELETE FROM outbox_dead_letters WHERE seq = ?", (row["seq"],))
            done.replayed.append(letter)
    for letter in done.replayed:
        log.info("outbox: dead letter %s (row %s) replayed", letter.event_id, letter.seq)
    return done


def _refusal(conn: sqlite3.Connection, row: sqlite3.Row) -> str | None:
    """Why the current models still refuse the dead letter ``row`` (None: they take it)."""
    try:
        _prepare(row)
    except (ValueError, KeyError, TypeError) as exc:
        return _reason(exc)
    taken = conn.execute(
        "SELECT 1 FROM outbox WHERE seq = ? OR event_id = ?", (row["seq"], row["event_id"])
    ).fetchone()
    return "already in the outbox" if taken else None


#: sends one prepared row with the generated publisher
_Send = Callable[[Any], Awaitable[None]]


class OutboxRelay:
    """Publishes the outbox to JetStream, oldest first, marking each row once acknowledged;
    a row its model refuses goes to ``outbox_dead_letters`` instead of blocking the rest."""

    def __init__(self, db: Database, nats_url: str, *, interval: float = 0.2) -> None:
        self.db, self.nats_url, self.interval = db, nats_url, interval

    def pending(self, limit: int = 100) -> list[sqlite3.Row]:
        with self.db.connect() as conn:
            return conn.execute(
                "SELECT seq, event_id, subject, payload FROM outbox "
                "WHERE published_at IS NULL ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()

    def _mark(self, seq: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE outbox SET published_at = ? WHERE seq = ?", (utcnow(), seq))

    def _dead_letter(self, row: sqlite3.Row, reason: str) -> None:
        """Move ``row`` out of the outbox, with ``reason``, in one transaction."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO outbox_dead_letters "
                "(seq, event_id, subject, payload, created_at, dead_at, reason) "
                "SELECT seq, event_id, subject, payload, created_at, ?, ? FROM outbox "
                "WHERE seq = ?",
                (utcnow(), reason, row["seq"]),
            )
            conn.execute("DELETE FROM outbox WHERE seq = ?", (row["seq"],))
        log.error(
            "outbox relay: event %s (%s, outbox row %s) moved to outbox_dead_letters: %s",
            row["event_id"], row["subject"], row["seq"], reason,
        )  # fmt: skip

    async def run(self) -> None:
        """Relay until cancelled; a broker that is down is retried, nothing is dropped."""
        from faststream.nats import NatsBroker  # noqa: PLC0415  (served processes only)

        broker = NatsBroker(self.nats_url, connect_timeout=2, max_reconnect_attempts=-1)
        await ensure_stream(self.nats_url, STREAM, SUBJECTS)
        await broker.start()
        try:
            while True:
                try:
                    await self.publish_pending(broker)
                except Exception:  # the broker is away: keep the rows, try again
                    log.warning("outbox relay: publishing failed, will retry", exc_info=True)
                    await asyncio.sleep(1.0)
                await asyncio.sleep(self.interval)
        finally:
            await broker.stop()

    async def publish_pending(self, broker: Any) -> int:
        """Publish each unpublished row with the publisher generated from the AsyncAPI
        document (``generated/orders_events/app.py``): its model checks the payload first.
        A refused row is dead-lettered (not counted); a broker error propagates."""
        count = 0
        for row in self.pending():
            try:
                send = _prepare(row)
            except (ValueError, KeyError, TypeError) as exc:  # the row's fault, not the broker's
                self._dead_letter(row, _reason(exc))
                continue
            try:
                await send(broker)
            except (event_app.InvalidMessage, ValidationError) as exc:  # refused before sending
                self._dead_letter(row, _reason(exc))
                continue
            self._mark(row["seq"])
            count += 1
        return count


def _reason(exc: Exception) -> str:
    """One line: pydantic's first error with its location, or the exception's own text."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = "/".join(str(part) for part in first["loc"])
        return f"{type(exc).__name__}: {first['msg']} at /{where}"
    return f"{type(exc).__name__}: {exc}"


def _prepare(row: sqlite3.Row) -> _Send:
    """The call that publishes ``row``, its payload, headers and subject already checked
    (raises what the models raise: a :class:`ValueError` or :class:`KeyError`)."""
    payload = json.loads(row["payload"])
    headers = event_models.EventHeaders.model_validate({"Nats-Msg-Id": row["event_id"]})
    order_id, kind = str(payload["order_id"]), payload["type"]
    fill(event_app.ADDRESSES["publishOrderConfirmed"], {"orderId": order_id})  # a subject token
    jetstream: dict[str, Any] = {"stream": STREAM, "timeout": 5.0}
    if kind == "order.confirmed":
        confirmed = event_models.OrderConfirmed.model_validate(payload)
        return lambda broker: event_app.publish_order_confirmed(
            broker, confirmed, order_id=order_id, headers=headers, **jetstream
        )
    if kind == "order.cancelled":
        cancelled = event_models.OrderCancelled.model_validate(payload)
        return lambda broker: event_app.publish_order_cancelled(
            broker, cancelled, order_id=order_id, headers=headers, **jetstream
        )
    failed = event_models.OrderFailed.model_validate(payload)
    return lambda broker: event_app.publish_order_failed(
        broker, failed, order_id=order_id, headers=headers, **jetstream
    )
