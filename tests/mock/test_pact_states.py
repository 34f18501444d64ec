"""Pact mode keeps one story: the provider states chosen for later requests decide the answers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from accord.core import PactFile
from accord.mock import MockApp
from tests.mock.helpers import mock_client

PACTS = Path(__file__).resolve().parents[2] / "contracts" / "pacts"
PRODUCT = "prd_7Hx2Kq9LmN4p"
EMPTY = f"product {PRODUCT} has 0 in stock"
STOCKED = f"product {PRODUCT} has 5 in stock"
RESERVE = {"order_id": "ord_Q4m8TzR2vW6y", "lines": [{"product_id": PRODUCT, "quantity": 2}]}


@pytest.fixture
def catalog() -> httpx.Client:
    """catalog as orders' own pact with it promises it (stock levels are provider states)."""
    client = mock_client(MockApp([], pacts=[PactFile.from_path(PACTS / "orders-catalog.json")]))
    client.headers["Authorization"] = "Bearer test-token"
    return client


def _choose(client: httpx.Client, *states: str) -> httpx.Response:
    return client.post("/_accord/pact-states", json={"states": list(states)})


def test_without_chosen_states_the_first_2xx_answers(catalog: httpx.Client) -> None:
    # the happy path: a reservation succeeds whatever the stock said before
    assert catalog.post("/reservations", json=RESERVE).status_code == 201


def test_chosen_states_decide_every_later_answer(catalog: httpx.Client) -> None:
    chosen = _choose(catalog, EMPTY)
    assert chosen.status_code == 200 and chosen.json() == {"states": [EMPTY]}
    assert catalog.get("/_accord/pact-states").json() == {"states": [EMPTY]}
    product = catalog.get(f"/products/{PRODUCT}")
    assert product.status_code == 200 and product.json()["in_stock"] is False
    assert catalog.post("/reservations", json=RESERVE).status_code == 409  # the same story
    # an interaction in no chosen state does not answer: out of the story
    assert catalog.post("/reservations/rsv_K2p9Wd4Xs7Qa/commit").status_code == 404
    _choose(catalog, STOCKED)
    assert catalog.post("/reservations", json=RESERVE).status_code == 201
    assert _choose(catalog).json() == {"states": []}  # cleared: the happy path again
    assert catalog.post("/reservations", json=RESERVE).status_code == 201


def test_a_header_state_wins_for_its_request(catalog: httpx.Client) -> None:
    _choose(catalog, STOCKED)
    answer = catalog.post("/reservations", json=RESERVE, headers={"X-Pact-Provider-State": EMPTY})
    assert answer.status_code == 409


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"states": ["product prd_1 is on the moon"]}, "no interaction has the provider state"),
        ({"states": "not a list"}, "expected"),
        ([1, 2], "expected"),
    ],
)
def test_bad_choices_are_refused_with_a_problem(
    catalog: httpx.Client, body: object, detail: str
) -> None:
    answer = catalog.post("/_accord/pact-states", json=body)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert detail in answer.json()["detail"]
    assert catalog.get("/_accord/pact-states").json() == {"states": []}  # nothing chosen
