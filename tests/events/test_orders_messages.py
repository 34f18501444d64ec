"""Orders builds each event a message pact asks for from the provider state the pact gives,
however an outside consumer names the order: in the state's name (``order {id} is
confirmed``, ``was cancelled``, ``failed for {reason}``) or in Pact's state parameters.

Found by the pact-js ``notifications`` consumer: "an order failed event" given ``order X
failed for payment_declined`` could not be built (the name had to say "is" or "was")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from services.orders._store import SCHEMA
from services.orders.messages import add_event_states, message_producers

from accord.runtime import Database, ProviderStates

ORDER = "ord_N7tq2Wx9Lp4K"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "orders.sqlite3", SCHEMA)


@pytest.mark.parametrize(
    ("description", "state", "params", "kind"),
    [
        ("an order cancelled event", f"order {ORDER} was cancelled", {}, "cancelled"),
        ("an order failed event", f"order {ORDER} failed for payment_declined", {}, "failed"),
        ("an order failed event", f"order {ORDER} failed for out_of_stock",
         {"order_id": ORDER, "reason": "payment_declined"}, "failed"),
    ],
)  # fmt: skip
def test_each_order_state_yields_its_event(
    db: Database, description: str, state: str, params: dict[str, str], kind: str
) -> None:
    states = ProviderStates()
    add_event_states(states, db)
    states.setup(state, params)
    produced = message_producers(db).produce(description, [{"name": state, "params": params}])
    event = json.loads(produced.body)
    assert (event["type"], event["order_id"]) == (f"order.{kind}", ORDER)
    assert produced.metadata["subject"] == f"orders.{ORDER}.{kind}"
    if kind == "failed":  # parameters win over the name, as for the state handlers
        assert event["reason"] == params.get("reason", "payment_declined")


def test_a_state_parameter_names_the_order(db: Database) -> None:
    states = ProviderStates()
    add_event_states(states, db)
    states.setup(f"order {ORDER} was cancelled")
    produced = message_producers(db).produce(
        "an order cancelled event", [{"name": "an order exists", "params": {"order_id": ORDER}}]
    )
    assert json.loads(produced.body)["order_id"] == ORDER
