"""The one bounded JSON reader (``accord._json``) and every surface that reads JSON with it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from accord._json import JSONError, JSONTooDeep, nesting, read_json
from accord.core import PactFile
from accord.mock import MockApp
from accord.runtime._guard import ContractGuard
from tests.gateway.conftest import bearer, config, gateway, one, token
from tests.mock.helpers import mock_client

#: about 100 KB of ``[``: json recurses until RecursionError, orjson stops at 1024 levels
DEEP = b"[" * 100_000
DEEP_CLOSED = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 5_000 + b"1" + b"}" * 5_000


@pytest.mark.parametrize("body", [DEEP, DEEP_CLOSED, DEEP_OBJECT], ids=["open", "closed", "object"])
def test_deep_nesting_is_refused_before_parsing(body: bytes) -> None:
    with pytest.raises(JSONTooDeep, match="nests deeper than 64 levels"):
        read_json(body)


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps(["[" * 500, {"k": "{" * 500 + '\\"['}])
    assert nesting(text) == 2
    assert read_json(text)[0] == "[" * 500


def test_integers_past_64_bits_stay_exact_and_bad_json_says_why() -> None:
    assert read_json(b'{"n": 123456789012345678901234567890}') == {
        "n": 123456789012345678901234567890
    }
    assert read_json(b"[1.5, -9223372036854775808]") == [1.5, -9223372036854775808]
    with pytest.raises(JSONError, match="not valid UTF-8"):
        read_json(b'"\xff"')
    with pytest.raises(JSONError, match="not valid JSON"):
        read_json(b'{"a": NaN}')
    with pytest.raises(JSONError, match="BOM"):
        read_json(b"\xef\xbb\xbf{}")


def _problem(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    found: dict[str, Any] = response.json()
    assert "nests deeper" in found["detail"]
    return found


def test_the_gateway_answers_deep_json_with_400() -> None:
    app, echoes = gateway(config())
    headers = {**bearer(token()), "content-type": "application/json"}
    _problem(one(app, "POST", "/items", content=DEEP, headers=headers), 400)
    assert echoes["alpha"].seen == []


def test_the_pact_mock_answers_deep_json_with_400() -> None:
    pact = PactFile.from_dict(
        {
            "consumer": {"name": "c"},
            "provider": {"name": "p"},
            "interactions": [
                {
                    "description": "create",
                    "request": {"method": "POST", "path": "/things", "body": {"a": 1}},
                    "response": {"status": 201},
                }
            ],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
    )
    client = mock_client(MockApp([], pacts=[pact]))
    for content_type in ("application/json", "application/vnd.x+json"):
        response = client.post("/things", content=DEEP, headers={"content-type": content_type})
        _problem(response, 400)


def test_the_runtime_guard_answers_deep_json_with_400() -> None:
    reached: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append((await receive())["body"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    guard = ContractGuard(app, [("POST", "/things")])
    sent: list[MutableMapping[str, Any]] = []
    scope = {
        "type": "http", "method": "POST", "path": "/things",
        "headers": [(b"content-type", b"application/json")],
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": DEEP, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(guard(scope, receive, send))
    assert sent[0]["status"] == 400
    assert dict(sent[0]["headers"])[b"content-type"] == b"application/problem+json"
    assert "nests deeper" in json.loads(sent[1]["body"])["detail"]
    assert reached == []


@pytest.mark.parametrize("body", [DEEP, DEEP_CLOSED], ids=["open", "closed"])
def test_accord_mock_on_a_deep_json_file_is_one_line_exit_2(tmp_path: Path, body: bytes) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(body)
    done = subprocess.run(
        [sys.executable, "-m", "accord", "mock", str(deep), "--port", "1"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "deep.json" in lines[0]
    assert "nest" in lines[0]
