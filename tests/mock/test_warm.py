"""What waits for the server to be up (lifespan start-up, else the first request): a big
contract's warm-up (started earlier it delayed the first answer) and the line saying where
the mock serves (accord.mock._app)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

from accord.core import Contract
from accord.mock import MockApp, WatchedApp
from tests.mock.helpers import mock_client


def _planned(app: MockApp, *, wait: float = 0.0) -> int:
    deadline = time.monotonic() + wait
    while True:
        planned = sum(len(service._plans) for service in app.services)
        if planned or time.monotonic() >= deadline:
            return planned
        time.sleep(0.01)


def _warm_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "accord-mock-warm"]


async def _lifespan(app: Any) -> list[str]:
    """Run an ASGI lifespan start-up and shutdown as a server does; the messages sent."""
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])

    await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    return sent


def test_the_warm_up_starts_at_the_lifespan_start_up(shop: dict[str, Contract]) -> None:
    app = MockApp([shop["orders"]])
    app.when_served(warm_pause=0.0)
    assert _planned(app) == 0  # asked for, not started: the server is not up yet
    sent = asyncio.run(_lifespan(app))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    for thread in _warm_threads():
        thread.join(10)
    assert _planned(app) == len(shop["orders"].operations)


def test_without_a_lifespan_the_first_request_starts_it(shop: dict[str, Contract]) -> None:
    app = MockApp([shop["catalog"]])
    app.when_served(warm_pause=0.0)
    with mock_client(app) as client:
        assert client.get("/nowhere").status_code == 404
    assert _planned(app, wait=10) > 0
    for thread in _warm_threads():
        thread.join(10)
    assert _planned(app) == len(shop["catalog"].operations)


def test_a_watched_app_serves_and_warms_the_app_built_first(
    shop: dict[str, Contract], tmp_path: Path
) -> None:
    first = MockApp([shop["payments"]])
    first.when_served(warm_pause=0.0)
    builds: list[MockApp] = []

    def build() -> MockApp:
        builds.append(MockApp([shop["payments"]]))
        return builds[-1]

    watched = WatchedApp(build, [tmp_path / "none.yaml"], print, first=first)
    assert watched.app is first and not builds  # not built a second time
    asyncio.run(_lifespan(watched))
    for thread in _warm_threads():
        thread.join(10)
    assert _planned(first) == len(shop["payments"].operations)


def test_the_announcement_comes_at_the_start_up_once(shop: dict[str, Contract]) -> None:
    app = MockApp([shop["orders"]])
    said: list[str] = []
    app.when_served(announce=lambda: said.append("serving"))
    assert said == []
    asyncio.run(_lifespan(app))
    with mock_client(app) as client:
        client.get("/nowhere")
    assert said == ["serving"]
    assert _planned(app) == 0  # no warm-up was asked for
