"""`mocks/<service>.yaml`: scenarios, faults and seed records, checked with clear errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from accord._errors import AccordError
from accord.core import Contract
from accord.mock import MockApp, MockConfig
from accord.mock._exchange import Service
from accord.mock._mockfile import load_mock_file
from tests.mock.helpers import REPO, mock_client

AUTH = {"Authorization": "Bearer anything"}
ORDER = {"customer_id": "cus_9dLw3Rt7Yb2e", "currency": "EUR", "payment_token": "tok_12345678",
         "lines": [{"product_id": "prd_7Hx2Kq9LmN4p", "quantity": 1}]}  # fmt: skip


def _app(shop: dict[str, Contract], **settings: object) -> MockApp:
    files = {name: REPO / "mocks" / f"{name}.yaml" for name in ("orders", "payments")}
    contracts: list[Contract | tuple[str, Contract]] = [
        ("orders", shop["orders"]),
        ("payments", shop["payments"]),
    ]
    return MockApp(contracts, MockConfig(**settings), mock_files=files)  # type: ignore[arg-type]


def test_scenarios_answer_by_header(shop: dict[str, Contract]) -> None:
    mock = mock_client(_app(shop))
    declined = mock.post(
        "/orders", json=ORDER, headers={**AUTH, "X-Accord-Scenario": "payment-declined"}
    )
    assert (declined.status_code, declined.json()["state"]) == (201, "failed")
    down = mock.post("/orders", json=ORDER, headers={**AUTH, "X-Accord-Scenario": "payments-down"})
    assert down.status_code == 503 and down.headers.get_list("retry-after") == ["30"]
    # a scenario that does not cover the operation leaves it to the contract
    listed = mock.get("/orders", headers={**AUTH, "X-Accord-Scenario": "payment-declined"})
    assert listed.status_code == 200
    charge = mock.get("/charges", headers={**AUTH, "X-Accord-Scenario": "card-declined"})
    assert charge.status_code == 200
    unknown = mock.get("/orders", headers={**AUTH, "X-Accord-Scenario": "nope"})
    assert unknown.status_code == 400 and "payment-declined" in unknown.json()["detail"]


def test_prefer_wins_over_a_scenario(shop: dict[str, Contract]) -> None:
    mock = mock_client(_app(shop))
    headers = {**AUTH, "X-Accord-Scenario": "order-missing", "Prefer": "code=200"}
    assert mock.get("/orders/ord_Q4m8TzR2vW6y", headers=headers).status_code == 200


def test_records_seed_the_state_and_survive_a_reset(shop: dict[str, Contract]) -> None:
    mock = mock_client(_app(shop, stateful=True))
    assert [o["id"] for o in mock.get("/orders", headers=AUTH).json()["items"]] == [
        "ord_Q4m8TzR2vW6y"
    ]
    mock.post("/orders", json=ORDER, headers=AUTH)
    assert len(mock.get("/orders", headers=AUTH).json()["items"]) == 2
    mock.post("/__accord/reset")
    assert len(mock.get("/orders", headers=AUTH).json()["items"]) == 1
    assert mock.get("/orders/ord_Q4m8TzR2vW6y", headers=AUTH).status_code == 200


def test_operation_faults_come_from_the_file(shop: dict[str, Contract]) -> None:
    app = _app(shop)
    faults = app.config.faults
    assert faults.operations["createOrder"].error_status == 503
    assert faults.services["orders"].latency is not None


SCENARIO = "version: 1\nscenarios:\n  x:\n    getOrder:"
BAD = [
    ("version: 2\n", "invalid mock file", 1),
    ("version: 1\nscenarios:\n  x:\n    noSuchOp: {}\n", "'noSuchOp' is not an operation", 4),
    (f"{SCENARIO} {{status: 418}}\n", "documents no response 418", 4),
    (f"{SCENARIO} {{example: nope}}\n", "has no example 'nope'", 4),
    (f"{SCENARIO}\n      body: {{id: 1}}\n", "body does not match", 5),
    (f"{SCENARIO} {{status: 200, colour: red}}\n", "invalid mock file", 4),
    ("version: 1\noperations:\n  getOrder:\n    faults: {latency: soon}\n", "not a duration", 4),
    ("version: 1\nfaults: {latency: gamma:5ms}\n", "unknown latency distribution", 2),
    ("version: 1\nfaults: {error_rate: 2}\n", "invalid mock file", 2),
]


@pytest.mark.parametrize(("text", "message", "line"), BAD)
def test_bad_files_say_what_and_where(
    tmp_path: Path, shop: dict[str, Contract], text: str, message: str, line: int
) -> None:
    path = tmp_path / "orders.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(AccordError) as caught:
        load_mock_file(path, Service("orders", shop["orders"], 0))
    assert message in str(caught.value)
    assert f"orders.yaml:{line}:" in str(caught.value)


def test_bad_records_are_refused(tmp_path: Path, shop: dict[str, Contract]) -> None:
    path = tmp_path / "orders.yaml"
    path.write_text(
        "version: 1\nrecords:\n  /orders:\n    - {id: ord_12345678}\n", encoding="utf-8"
    )
    with pytest.raises(AccordError, match="does not match response 201 of createOrder"):
        MockApp([("orders", shop["orders"])], mock_files={"orders": path})
