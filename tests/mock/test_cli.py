"""The real `accord mock` command: a server process on a free 127.0.0.1 port, queried with httpx."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.mock.helpers import REPO, SHOP, Server


@pytest.fixture
def serve() -> Iterator[list[Server]]:
    """Start servers with `serve.append(Server(...))`; every one is stopped at teardown."""
    started: list[Server] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.stop()


def test_the_cli_serves_the_whole_shop(serve: list[Server]) -> None:
    server = Server("orders", "payments", "catalog", "--seed", "4")
    serve.append(server)
    server.wait()
    auth = {"Authorization": "Bearer t"}
    with httpx.Client(base_url=server.url, headers=auth, timeout=10) as http:
        assert http.get("/orders/ord_Q4m8TzR2vW6y").json()["id"] == "ord_Q4m8TzR2vW6y"
        assert http.get("/charges").status_code == 200
        assert http.get("/products").status_code == 200
        bad = http.post("/orders", content=b"{", headers={"content-type": "application/json"})
        assert bad.status_code == 400
        assert bad.headers["content-type"] == "application/problem+json"
    err = server.stop()
    assert "on http://127.0.0.1:" in err
    log = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    log = [r for r in log if r["path"] != "/__accord/unknown"]  # the readiness probe
    assert [r["status"] for r in log] == [200, 200, 200, 400]
    assert log[0]["path"] == "/orders/ord_Q4m8TzR2vW6y"


def test_the_cli_mocks_a_file_statefully(serve: list[Server], tmp_path: Path) -> None:
    server = Server(str(SHOP / "orders.yaml"), "--stateful", "--quiet", cwd=tmp_path)
    serve.append(server)
    server.wait()
    auth = {"Authorization": "Bearer t"}
    order = {"customer_id": "cus_9dLw3Rt7Yb2e", "currency": "EUR", "payment_token": "tok_12345678",
             "lines": [{"product_id": "prd_7Hx2Kq9LmN4p", "quantity": 1}]}  # fmt: skip
    with httpx.Client(base_url=server.url, headers=auth, timeout=10) as http:
        made = http.post("/orders", json=order).json()
        assert http.get(f"/orders/{made['id']}").json() == made
        assert http.post("/__accord/reset").status_code == 204
        assert http.get(f"/orders/{made['id']}").status_code == 404
    assert not [line for line in server.stop().splitlines() if line.startswith("{")]


def test_an_unknown_service_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "accord", "mock", "nosuch"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "nosuch" in done.stderr and "orders" in done.stderr


def test_the_cli_serves_a_pact_file(serve: list[Server], tmp_path: Path) -> None:
    pact = (
        REPO.parent
        / "shared"
        / "corpus"
        / "pacts"
        / "pact-python"
        / "userserviceclient-userservice.json"
    )
    server = Server(str(pact), "--quiet", cwd=tmp_path)
    serve.append(server)
    server.wait()
    with httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.get("/users/UserA").json()["name"] == "UserA"
        state = {"X-Accord-Provider-State": "UserA does not exist"}
        assert http.get("/users/UserA", headers=state).status_code == 404
        assert http.get("/users/UserB").headers["content-type"] == "application/problem+json"
    assert "1 pact file(s)" in server.stop()


def test_a_reset_fault_drops_the_connection_mid_answer(serve: list[Server]) -> None:
    # mocks/orders.yaml sets the service's faults (all off): the flag still wins
    server = Server("orders", "--reset-rate", "1", "--quiet")
    serve.append(server)
    server.wait()
    with (
        httpx.Client(base_url=server.url, timeout=10) as http,
        pytest.raises(httpx.RemoteProtocolError, match=r"without sending complete"),
    ):
        http.get("/orders/ord_Q4m8TzR2vW6y", headers={"Authorization": "Bearer t"})


def test_the_serving_line_comes_once_the_port_listens(serve: list[Server]) -> None:
    # a script that waits for the line and then connects must not be refused
    server = Server("orders", "-q")
    serve.append(server)
    deadline = time.monotonic() + 30
    while "on http://" not in server._stderr():
        assert server.process.poll() is None and time.monotonic() < deadline
        time.sleep(0.005)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass
