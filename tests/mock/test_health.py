"""``GET /__accord/health``: 200 once the mock serves, and what verify and ``accord up``
wait for before they use a mock (accord.mock._app, accord.workspace.MOCK_HEALTH_PATH)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import httpx
import pytest

from accord._process import Process, free_port
from accord.core import Contract, PactFile
from accord.mock import HEALTH_PATH, MockApp
from accord.workspace import MOCK_HEALTH_PATH, Workspace
from tests.mock.helpers import REPO, SHOP, mock_client


def _join_warm_ups() -> None:
    for thread in threading.enumerate():
        if thread.name == "accord-mock-warm":
            thread.join(10)


@pytest.mark.slow
def test_a_started_mock_is_ready_on_its_health_path_only_with_a_2xx(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "accord", "mock", str(SHOP / "catalog.yaml")]
    argv += ["--port", str(port), "-q"]
    mock = Process("mock", argv, url + MOCK_HEALTH_PATH, cwd=REPO, log=tmp_path / "mock.log",
                   ready_timeout=30, require_2xx=True)  # fmt: skip
    with mock:
        answer = httpx.get(url + MOCK_HEALTH_PATH)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert answer.json() == {"status": "ok", "warm": True}  # a small contract: warmed first
        assert httpx.post(url + MOCK_HEALTH_PATH).status_code == 404  # only GET is the probe


def test_the_health_answer_says_when_a_background_warm_up_is_done(
    shop: dict[str, Contract],
) -> None:
    app = MockApp([shop["orders"]])
    app.when_served(warm_pause=0.05)
    with mock_client(app) as client:
        first = client.get(HEALTH_PATH)  # the first request starts the warm-up
        assert first.status_code == 200 and first.json() == {"status": "ok", "warm": False}
        _join_warm_ups()
        assert client.get(HEALTH_PATH).json() == {"status": "ok", "warm": True}


def test_a_pact_mode_mock_answers_its_health_too() -> None:
    app = MockApp([], pacts=[PactFile.from_path(REPO / "contracts" / "pacts" / "web-catalog.json")])
    with mock_client(app) as client:
        assert client.get(HEALTH_PATH).json()["status"] == "ok"


def test_accord_up_waits_for_a_mock_s_health_path() -> None:
    from accord.cli._cmd_gateway import _commands  # noqa: PLC0415

    workspace = Workspace.from_path(REPO / "contracts" / "accord.yaml")
    children = {child.name: child for child in _commands(workspace, {"catalog"}, "127.0.0.1", 0)}
    mock = children["catalog (mock)"]
    assert mock.health == f"{mock.url}{MOCK_HEALTH_PATH}" and mock.require_2xx
