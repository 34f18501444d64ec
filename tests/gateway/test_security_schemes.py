"""Every security scheme the gateway can check is checked (bearer JWT, apiKey, Basic): OR
across requirements, AND within one; what it cannot check is refused; and a service never
receives an ``Authorization`` header the gateway did not verify."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from typing import Any

import httpx
import jwt
import pytest

from accord.core import Contract
from accord.gateway import AuthConfig, GatewayApp, GatewayConfig, hash_password
from accord.gateway._credentials import BasicUsers
from tests.gateway.conftest import AUDIENCE, ISSUER, SECRET, Echo, bearer, one, run, token

API_KEY = "k-0123456789abcdef"
PASSWORD = "correct horse battery staple"
# a cheap pbkdf2 hash keeps the tests fast; scrypt hashes are checked below
BOB = "pbkdf2_sha256$1000${}${}".format(
    base64.b64encode(b"salt-salt").decode(),
    base64.b64encode(hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), b"salt-salt", 1000)).decode(),
)


def _op(name: str, security: list[dict[str, list[str]]] | None) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": name, "responses": {"200": {"description": "ok"}}}
    if security is not None:
        op["security"] = security
    return op


SCHEMES = {
    "jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
        "tokenUrl": "https://auth.test/token", "scopes": {"items:read": "r"}}}},
    "headerKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
    "queryKey": {"type": "apiKey", "in": "query", "name": "api_key"},
    "cookieKey": {"type": "apiKey", "in": "cookie", "name": "session_key"},
    "basic": {"type": "http", "scheme": "basic"},
    "mtls": {"type": "mutualTLS"},
}  # fmt: skip
GAMMA = {
    "openapi": "3.1.0",
    "info": {"title": "gamma", "version": "1"},
    "components": {"securitySchemes": SCHEMES},
    "paths": {
        "/bearer-or-key": {"get": _op("bearerOrKey", [{"oauth": ["items:read"]},
                                                      {"headerKey": []}])},
        "/bearer-and-key": {"get": _op("bearerAndKey", [{"oauth": ["items:read"],
                                                         "headerKey": []}])},
        "/maybe-bearer": {"get": _op("maybeBearer", [{}, {"jwt": []}])},
        "/public": {"get": _op("public", None)},
        "/basic": {"get": _op("basic", [{"basic": []}])},
        "/query-key": {"get": _op("queryKey", [{"queryKey": []}])},
        "/cookie-key": {"get": _op("cookieKey", [{"cookieKey": []}])},
        "/mtls": {"get": _op("mtls", [{"mtls": []}])},
        "/key-or-mtls": {"get": _op("keyOrMtls", [{"mtls": []}, {"headerKey": []}])},
    },
}  # fmt: skip


def _gateway(**auth: Any) -> tuple[GatewayApp, Echo]:
    echo = Echo("gamma")
    settings = AuthConfig(
        issuer=ISSUER,
        audience=AUDIENCE,
        secret=SECRET,
        api_keys={hashlib.sha256(API_KEY.encode()).hexdigest(): "shop-ci"},
        basic_users={"bob": BOB},
    )
    cfg = GatewayConfig(upstreams={"gamma": "http://gamma.test"}, auth=replace(settings, **auth))
    contract = Contract.from_dict(GAMMA, name="gamma.yaml")
    app = GatewayApp({"gamma": contract}, cfg, transports={"gamma": httpx.ASGITransport(echo)})
    return app, echo


def _status(path: str, headers: dict[str, str] | None = None, **auth: Any) -> tuple[int, Echo]:
    app, echo = _gateway(**auth)
    return one(app, "GET", path, headers=headers or {}).status_code, echo


def _forged_none_token(scope: str = "items:read items:write admin") -> str:
    claims = {"sub": "mallory", "iss": ISSUER, "aud": AUDIENCE, "exp": 2**31, "scope": scope}
    return jwt.encode(claims, None, algorithm="none")


def _basic(user: str, password: str) -> dict[str, str]:
    value = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {value}"}


# -- the attack of issue 13 item 11 -------------------------------------------------------


@pytest.mark.parametrize("path", ["/bearer-or-key", "/maybe-bearer", "/bearer-and-key"])
def test_an_unsigned_token_with_forged_scopes_never_passes(path: str) -> None:
    status, echo = _status(path, bearer(_forged_none_token()))
    assert status == 401
    assert not echo.seen


def test_a_public_operation_never_forwards_an_unverified_authorization() -> None:
    status, echo = _status("/public", bearer(_forged_none_token()))
    assert status == 200
    assert "authorization" not in echo.seen[0]["headers"]


# -- OR across requirements, AND within one -----------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, 401),
        ({"X-Api-Key": API_KEY}, 200),
        ({"X-Api-Key": "wrong"}, 401),
        (bearer(token("items:read")), 200),
        (bearer(token("other")), 403),
    ],
)
def test_bearer_or_api_key(headers: dict[str, str], expected: int) -> None:
    status, echo = _status("/bearer-or-key", headers)
    assert status == expected
    assert len(echo.seen) == (expected == 200)


def test_an_api_key_passes_but_its_authorization_header_is_not_forwarded() -> None:
    headers = {"X-Api-Key": API_KEY, **bearer(_forged_none_token())}
    app, echo = _gateway()
    response = one(app, "GET", "/bearer-or-key", headers=headers)
    # the bearer alternative failed on a presented token; the key alternative passed
    assert response.status_code == 200
    seen = echo.seen[0]["headers"]
    assert "authorization" not in seen
    assert seen["x-accord-subject"] == "shop-ci"
    assert seen["x-accord-scopes"] == ""


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-Api-Key": API_KEY}, 401),
        (bearer(token("items:read")), 401),
        ({"X-Api-Key": "wrong", **bearer(token("items:read"))}, 401),
        ({"X-Api-Key": API_KEY, **bearer(token("other"))}, 403),
        ({"X-Api-Key": API_KEY, **bearer(token("items:read"))}, 200),
    ],
)
def test_bearer_and_api_key(headers: dict[str, str], expected: int) -> None:
    status, _ = _status("/bearer-and-key", headers)
    assert status == expected


def test_anonymous_or_bearer() -> None:
    app, echo = _gateway()
    other = "another-secret-of-32-bytes-or-more!"
    headers = ({}, bearer(token("")), bearer(token(key=other)))
    anonymous, good, bad = (
        r.status_code
        for r in run(app, *[("GET", "/maybe-bearer", {"headers": h}) for h in headers])
    )
    assert (anonymous, good, bad) == (200, 200, 401)
    assert "authorization" not in echo.seen[0]["headers"]
    assert echo.seen[1]["headers"]["x-accord-subject"] == "alice"
    assert echo.seen[1]["headers"]["authorization"].startswith("Bearer ")
    assert len(echo.seen) == 2


# -- Basic and API keys in every place ----------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (_basic("bob", PASSWORD), 200),
        (_basic("bob", "wrong"), 401),
        (_basic("eve", PASSWORD), 401),
        ({"Authorization": "Basic !!!not-base64"}, 401),
        ({}, 401),
    ],
)
def test_basic(headers: dict[str, str], expected: int) -> None:
    app, echo = _gateway()
    response = one(app, "GET", "/basic", headers=headers)
    assert response.status_code == expected
    if expected == 401:
        assert response.headers["www-authenticate"].startswith("Basic ")
        assert not echo.seen
    else:
        assert echo.seen[0]["headers"]["x-accord-subject"] == "bob"


def test_basic_with_an_scrypt_hash() -> None:
    status, _ = _status(
        "/basic", _basic("bob", PASSWORD), basic_users={"bob": hash_password(PASSWORD)}
    )
    assert status == 200


def test_malformed_password_hashes_are_refused_at_start() -> None:
    with pytest.raises(Exception, match="basic_users: bob: not a password hash"):
        BasicUsers({"bob": "plain-text-password"})


@pytest.mark.parametrize(
    ("path", "kwargs", "expected"),
    [
        ("/query-key", {"params": {"api_key": API_KEY}}, 200),
        ("/query-key", {"params": {"api_key": "wrong"}}, 401),
        ("/query-key", {"headers": {"X-Api-Key": API_KEY}}, 401),
        ("/cookie-key", {"headers": {"Cookie": f"session_key={API_KEY}"}}, 200),
        ("/cookie-key", {"headers": {"Cookie": "session_key=wrong"}}, 401),
        ("/cookie-key", {"headers": {"Cookie": "no cookie at all"}}, 401),
    ],
)
def test_api_keys_in_query_and_cookie(path: str, kwargs: dict[str, Any], expected: int) -> None:
    app, _ = _gateway()
    assert one(app, "GET", path, **kwargs).status_code == expected


# -- what the gateway cannot check is refused ---------------------------------------------


def test_schemes_the_gateway_cannot_check_are_refused() -> None:
    status, echo = _status("/mtls", bearer(token("items:read")))
    assert status == 401
    assert not echo.seen
    # an API key scheme with no keys configured is refused, not waved through
    status, echo = _status("/bearer-or-key", {"X-Api-Key": API_KEY}, api_keys={})
    assert status == 401
    # an unusable alternative does not block a usable one
    assert _status("/key-or-mtls", {"X-Api-Key": API_KEY})[0] == 200


def test_schemes_the_gateway_cannot_check_are_named_at_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("WARNING", logger="accord.gateway"):
        _gateway(api_keys={})
    text = caplog.text
    assert "mtls (unsupported)" in text and "keyOrMtls" in text
    assert "headerKey (apiKey)" in text and "bearerOrKey" in text
    assert "basic (basic)" not in text  # users are configured
