"""The messages orders publishes, built for message-pact verification from orders' own code.

Each message interaction names its order through a provider state (``order {order_id} is
confirmed``..., or an ``order_id`` state parameter); the state handlers below put that order
in the database, and the producer builds its event with
:func:`services.orders.events.event_for`, the function the outbox uses.
"""

from __future__ import annotations

import json
import re
from typing import Any

from accord.runtime import Database, MessageProducers, ProducedMessage, ProviderStates
from services.orders._store import load_order
from services.orders.events import event_for
from services.orders.states import seed_order

__all__ = ["add_event_states", "message_producers"]

#: the order states all start ``order {order_id} ...`` (is confirmed, was cancelled, failed for)
_ORDER_STATE = re.compile(r"^order (?P<order_id>\S+) ")


def _order_of(state: dict[str, Any]) -> str | None:
    """The order a provider state names: its ``order_id`` parameter (Pact's state
    parameters win, as they do for the state handlers), else the id in its name."""
    params = state.get("params")
    if isinstance(params, dict) and isinstance(params.get("order_id"), str):
        return str(params["order_id"])
    found = _ORDER_STATE.match(str(state.get("name", "")))
    return found["order_id"] if found else None


def add_event_states(states: ProviderStates, db: Database) -> None:
    """States for settled orders besides ``confirmed`` (declared in ``states.py``)."""

    @states.state("order {order_id} was cancelled")
    def cancelled(order_id: str) -> None:
        seed_order(db, order_id, "cancelled")

    @states.state("order {order_id} failed for {reason}")
    def failed(order_id: str, reason: str) -> None:
        seed_order(db, order_id, "failed", reason=reason)


def message_producers(db: Database) -> MessageProducers:
    producers = MessageProducers()

    @producers.message("an order {kind} event")
    def order_event(kind: str, states: list[dict[str, Any]]) -> ProducedMessage:
        order_id = next(filter(None, map(_order_of, states)), None)
        if order_id is None:
            raise LookupError(f"an order {kind} event needs a state naming its order")
        with db.connect() as conn:
            order = load_order(conn, order_id)
        if order is None:
            raise LookupError(f"order {order_id} does not exist")
        subject, payload = event_for(order)
        return ProducedMessage(
            json.dumps(payload).encode(),
            {"subject": subject, "Nats-Msg-Id": payload["event_id"]},
        )

    return producers
