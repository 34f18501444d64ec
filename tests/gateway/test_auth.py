"""Bearer JWTs from the contract's security: 401 vs 403, HS256 and RS256/ES256 via JWKS,
and the identity headers the services trust."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from accord.gateway import AuthConfig
from accord.gateway._auth import AuthError, TokenVerifier
from tests.gateway.conftest import (
    AUDIENCE,
    ISSUER,
    SECRET,
    SUITE,
    bearer,
    config,
    gateway,
    one,
    token,
)


def _get(headers: dict[str, str], **overrides: Any) -> Any:
    app, echoes = gateway(config(**overrides) if overrides else None)
    return one(app, "GET", "/items/it_1", headers=headers), echoes


def test_no_token_is_401_with_bearer_challenge() -> None:
    response, echoes = _get({})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    assert not echoes["alpha"].seen


def test_anonymous_operation_needs_no_token() -> None:
    app, _ = gateway()
    assert one(app, "GET", "/items").status_code == 200


@pytest.mark.parametrize(
    ("case", "value"),
    [
        ("expired", token(exp=int(time.time()) - 60)),
        ("not yet valid", token(nbf=int(time.time()) + SUITE)),
        ("wrong issuer", token(iss="https://evil.test")),
        ("wrong audience", token(aud="other")),
        ("bad signature", token(key="another-secret-that-is-32-bytes-long!!")),
        ("no exp", jwt.encode({"sub": "a", "iss": ISSUER, "aud": AUDIENCE, "scope": "items:read"},
                              SECRET, algorithm="HS256")),
        ("alg none", jwt.encode({"sub": "a", "scope": "items:read"}, "", algorithm="none")),
        ("garbage", "not.a.jwt"),
    ],
)  # fmt: skip
def test_untrustworthy_tokens_are_401(case: str, value: str) -> None:
    response, echoes = _get(bearer(value))
    assert response.status_code == 401, case
    assert 'error="invalid_token"' in response.headers["www-authenticate"] or case == "garbage"
    assert not echoes["alpha"].seen


def test_missing_scope_is_403_insufficient_scope() -> None:
    response, echoes = _get(bearer(token("items:write")))
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    assert 'scope="items:read"' in response.headers["www-authenticate"]
    assert not echoes["alpha"].seen


def test_identity_headers_are_stripped_and_the_verified_ones_forwarded() -> None:
    spoofed = {
        **bearer(token("items:read", sub="alice")),
        "X-Accord-Subject": "admin",
        "X-Accord-Scopes": "everything",
    }
    response, echoes = _get(spoofed)
    assert response.status_code == 200
    seen = echoes["alpha"].seen[0]["headers"]
    names = echoes["alpha"].seen[0]["header_names"]
    assert names.count("x-accord-subject") == names.count("x-accord-scopes") == 1
    assert seen["x-accord-subject"] == "alice"
    assert seen["x-accord-scopes"] == "items:read"
    assert seen["authorization"] == spoofed["Authorization"]


def test_spoofed_identity_on_anonymous_operation_is_dropped() -> None:
    app, echoes = gateway()
    headers = {"X-Accord-Subject": "admin", "X-Accord-Scopes": "items:write"}
    assert one(app, "GET", "/items", headers=headers).status_code == 200
    seen = echoes["alpha"].seen[0]["headers"]
    assert "x-accord-subject" not in seen and "x-accord-scopes" not in seen


def _jwks(tmp_path: Path, keys: list[dict[str, Any]]) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": keys}))
    return path


def test_rs256_and_es256_via_a_local_jwks_file(tmp_path: Path) -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
    path = _jwks(tmp_path, [rsa_jwk | {"kid": "r1", "alg": "RS256"},
                            ec_jwk | {"kid": "e1", "alg": "ES256"}])  # fmt: skip
    auth = AuthConfig(issuer=ISSUER, audience=AUDIENCE, algorithms=("RS256", "ES256"),
                      jwks_file=path)  # fmt: skip
    rs = token("items:read", key=rsa_key, alg="RS256", kid="r1")
    es = token("items:read", key=ec_key, alg="ES256", kid="e1")
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = token("items:read", key=other, alg="RS256", kid="r1")
    hs = token("items:read")  # HS256 is not accepted by this configuration
    statuses = [_get(bearer(t), auth=auth)[0].status_code for t in (rs, es, forged, hs)]
    assert statuses == [200, 200, 401, 401]


def test_rs256_public_key_cannot_be_used_as_an_hs256_secret(tmp_path: Path) -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    path = _jwks(tmp_path, [jwk | {"kid": "r1"}])
    auth = AuthConfig(issuer=ISSUER, audience=AUDIENCE, algorithms=("RS256",), jwks_file=path)
    now = int(time.time())
    claims = {"sub": "a", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 60, "scope": "items:read"}
    # the classic confusion attack signs with the public key's text as an HMAC secret
    forged = jwt.api_jws.PyJWS().encode(
        json.dumps(claims).encode(), b"x" * 32, algorithm="HS256", headers={"kid": "r1"}
    )
    assert _get(bearer(forged), auth=auth)[0].status_code == 401


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    verifier = TokenVerifier(AuthConfig(secret=SECRET, issuer=ISSUER, audience=AUDIENCE))
    now = int(time.time())
    value = token("items:read", exp=now + 30)
    first = verifier.verify(value)
    assert verifier.verify(value) is first  # the second time comes from the cache
    monkeypatch.setattr(time, "time", lambda: now + 31.0)
    with pytest.raises(AuthError) as caught:
        verifier.verify(value)
    assert caught.value.status == 401
    assert "expired" in caught.value.detail
