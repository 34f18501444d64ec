"""The services themselves: unsigned tokens are refused, signatures verified whenever a key
is configured, and HEAD answered wherever GET is documented."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from services.catalog.app import create as create_catalog

from accord.runtime import claims_of_forwarded_jwt, mint_token, token_info_from_env
from tests.shop.conftest import REPO, SCOPES, Process, free_port, token

SECRET = "service-secret-of-at-least-32-bytes!"


def _forged(alg: str = "none") -> str:
    claims = {"sub": "mallory", "scope": SCOPES, "exp": 2**31}
    return jwt.encode(claims, None if alg == "none" else "guess-guess-guess-guess-guess-32", alg)


def _call(app: Any, method: str, url: str, value: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {value}"} if value is not None else {}

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc.test") as client:
            return await client.request(method, url, headers=headers)

    return asyncio.run(go())


def _catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str | None) -> Any:
    monkeypatch.delenv("ACCORD_JWKS_FILE", raising=False)
    if secret is None:
        monkeypatch.delenv("ACCORD_JWT_SECRET", raising=False)
    else:
        monkeypatch.setenv("ACCORD_JWT_SECRET", secret)
    return create_catalog(tmp_path / "catalog.sqlite3")


@pytest.mark.parametrize("variant", ["alg none", "empty signature", "alg None"])
def test_unsigned_tokens_with_forged_scopes_are_refused_without_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variant: str
) -> None:
    app = _catalog(tmp_path, monkeypatch, None)
    forged = _forged()
    if variant == "empty signature":
        forged = mint_token({"sub": "mallory", "scope": SCOPES}, "x").rsplit(".", 1)[0] + "."
    elif variant == "alg None":
        head = base64.urlsafe_b64encode(b'{"alg":"None"}').decode().rstrip("=")
        forged = f"{head}.{forged.split('.')[1]}.c2ln"  # a signature no algorithm checks
    assert _call(app, "GET", "/products", forged).status_code == 401
    # a signed token is still read as the gateway forwarded it
    assert _call(app, "GET", "/products", token()).status_code == 200


def test_with_a_secret_every_signature_is_verified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _catalog(tmp_path, monkeypatch, SECRET)
    statuses = [
        _call(app, "GET", "/products", value).status_code
        for value in (
            _forged(),
            _forged("HS256"),  # signed, with the wrong key
            mint_token({"sub": "t", "scope": SCOPES}, SECRET, ttl=-10),  # expired
            mint_token({"sub": "t", "scope": SCOPES}, SECRET),
        )
    ]
    assert statuses == [401, 401, 401, 200]


def test_token_info_from_env_chooses_verification_when_a_key_is_set() -> None:
    assert token_info_from_env({}) is claims_of_forwarded_jwt
    verify = token_info_from_env({"ACCORD_JWT_SECRET": SECRET})
    good = verify(mint_token({"scope": "a b"}, SECRET))
    assert good is not None and good["scope"] == ["a", "b"]
    assert verify(mint_token({"scope": "a"}, "another-secret")) is None


# -- HEAD wherever GET is documented ------------------------------------------------------


def test_head_runs_get_without_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _catalog(tmp_path, monkeypatch, None)
    get = _call(app, "GET", "/products", token())
    head = _call(app, "HEAD", "/products", token())
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-type"] == get.headers["content-type"]
    # GET's security applies to HEAD
    assert _call(app, "HEAD", "/products", None).status_code == 401
    # HEAD is allowed exactly where GET is, and listed in Allow
    refused = _call(app, "DELETE", "/products", token())
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, HEAD, POST"
    adjustments = _call(app, "HEAD", "/products/prd_x/stock/adjustments", token())
    assert adjustments.status_code == 405
    assert "HEAD" not in adjustments.headers["allow"]


@pytest.fixture
def catalog_process(tmp_path: Path) -> Iterator[Process]:
    env = {
        **os.environ,
        "ACCORD_JWT_SECRET": "test-secret",
        "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}",
    }
    process = Process("catalog", free_port(), tmp_path / "catalog.sqlite3", env).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.mark.slow
def test_a_real_service_answers_head_and_refuses_unsigned_tokens(catalog_process: Process) -> None:
    url = catalog_process.url + "/products"
    with httpx.Client(timeout=10) as client:
        head = client.head(url, headers={"Authorization": f"Bearer {token()}"})
        get = client.get(url, headers={"Authorization": f"Bearer {token()}"})
        forged = client.get(url, headers={"Authorization": f"Bearer {_forged()}"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert forged.status_code == 401
