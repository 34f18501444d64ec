"""The designer loop: a saved contract is served at once; a broken one keeps the last good."""

from __future__ import annotations

import asyncio
import os
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from accord.core import Contract
from accord.mock import MockApp, WatchedApp
from tests.mock.helpers import Server, mock_client

SPEC = textwrap.dedent(
    """\
    openapi: 3.0.3
    info: {title: t, version: "1"}
    paths:
      /greeting:
        get:
          responses:
            "200":
              description: ok
              content:
                application/json:
                  schema: {type: string}
                  example: %s
    """
)


def _save(path: Path, text: str) -> None:
    before = path.stat().st_mtime if path.exists() else 0.0
    path.write_text(text, encoding="utf-8")
    os.utime(path, (before + 2, before + 2))  # a visible change even on coarse clocks


def test_a_save_is_served_and_a_broken_edit_is_not(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    _save(path, SPEC % "hello")
    lines: list[str] = []
    watched = WatchedApp(lambda: MockApp([Contract.from_path(path)]), [path], lines.append)
    client = mock_client(watched)
    assert client.get("/greeting").json() == "hello"
    assert watched.check() is False  # nothing changed
    _save(path, SPEC % "bonjour")
    assert watched.check() is True
    assert client.get("/greeting").json() == "bonjour"
    _save(path, SPEC.replace("paths:", "paths: [") % "broken")
    assert watched.check() is False
    assert client.get("/greeting").json() == "bonjour"
    assert "reload failed" in lines[-1] and "api.yaml:" in lines[-1]


def test_the_cli_reloads_while_serving(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    _save(path, SPEC % "hello")
    server = Server(str(path), "--watch", "--quiet", cwd=tmp_path)
    try:
        server.wait()
        assert httpx.get(server.url + "/greeting").json() == "hello"
        _save(path, SPEC % "bonjour")
        deadline = time.monotonic() + 10
        while httpx.get(server.url + "/greeting").json() != "bonjour":
            assert time.monotonic() < deadline, "the server did not reload"
            time.sleep(0.1)
    finally:
        err = server.stop()
    assert "reloaded" in err


def test_a_rebuilt_app_is_warmed_in_the_background(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    _save(path, SPEC % "hello")
    watched = WatchedApp(lambda: MockApp([Contract.from_path(path)]), [path], print)
    _save(path, SPEC % "bonjour")
    assert watched.check() is True
    for thread in threading.enumerate():
        if thread.name == "accord-mock-warm":
            thread.join(10)
    assert watched.app.warmed
    assert sum(len(service._plans) for service in watched.app.services) == 1


def test_the_old_app_answers_while_the_new_one_is_built(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    _save(path, SPEC % "hello")
    building, release = threading.Event(), threading.Event()

    def build() -> MockApp:
        if watched_ready.is_set():  # a rebuild: slow until the test lets it finish
            building.set()
            release.wait(5)
        return MockApp([Contract.from_path(path)])

    watched_ready = threading.Event()
    watched = WatchedApp(build, [path], print, interval=0.01)
    watched_ready.set()

    async def run() -> list[str]:
        stop = asyncio.Event()

        async def receive() -> dict[str, Any]:
            if not started:
                started.append(True)
                return {"type": "lifespan.startup"}
            await stop.wait()
            return {"type": "lifespan.shutdown"}

        async def send(message: dict[str, Any]) -> None:
            return None

        started: list[bool] = []
        lifespan = asyncio.create_task(watched({"type": "lifespan"}, receive, send))
        transport = httpx.ASGITransport(watched)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            _save(path, SPEC % "bonjour")
            assert await asyncio.to_thread(building.wait, 5)
            during = (await client.get("/greeting")).json()
            release.set()
            while watched.app is first:
                await asyncio.sleep(0.01)
            after = (await client.get("/greeting")).json()
        stop.set()
        await lifespan
        return [during, after]

    first = watched.app
    assert asyncio.run(run()) == ["hello", "bonjour"]
