"""How a service reads the bearer tokens it receives: claims for each operation's scopes.

- With a key configured (``ACCORD_JWT_SECRET`` for HS256, ``ACCORD_JWKS_FILE`` for
  RS256/ES256, or :func:`verifying_token_info` directly) every token's signature and
  ``exp`` are verified (PyJWT, imported only by servers).
- With no key, the claims are read as the gateway forwarded them (it verified them), but a
  token that is not signed at all (``alg: none``, an empty signature) is always refused.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "TokenInfo",
    "claims_of_forwarded_jwt",
    "token_info_from_env",
    "verifying_token_info",
]

TokenInfo = Callable[[str], dict[str, Any] | None]


def _json_part(part: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, binascii.Error):
        return None


def _with_scope_list(claims: dict[str, Any]) -> dict[str, Any]:
    scope = claims.get("scope", claims.get("scp", ""))
    claims["scope"] = scope.split() if isinstance(scope, str) else list(scope or [])
    return claims


def claims_of_forwarded_jwt(token: str) -> dict[str, Any] | None:
    """The claims of a signed bearer JWT, read without checking its signature.

    For services behind the Accord gateway, which verifies tokens (signature, expiry,
    issuer, audience) before forwarding them; unsigned tokens (``alg: none`` or no
    signature) are refused all the same. A service that holds the key verifies itself:
    see :func:`token_info_from_env`.
    """
    parts = token.split(".")
    if len(parts) != 3 or not parts[2]:
        return None
    header, claims = _json_part(parts[0]), _json_part(parts[1])
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        return None
    return _with_scope_list(claims)


def verifying_token_info(
    *, secret: str | None = None, jwks_file: str | Path | None = None
) -> TokenInfo:
    """A ``token_info`` that verifies signature and ``exp``: HS256 with ``secret``,
    RS256/ES256 with the key of ``jwks_file`` the token's ``kid`` names."""
    import jwt  # noqa: PLC0415  (servers only)
    from jwt.warnings import InsecureKeyLengthWarning  # noqa: PLC0415

    keys: dict[str, Any] = {}
    if jwks_file is not None:
        document = json.loads(Path(jwks_file).read_text("utf-8"))
        for key in jwt.PyJWKSet.from_dict(document).keys:
            keys[key.key_id or ""] = key
    if secret is None and not keys:
        raise ValueError("verifying tokens needs a secret or a JWKS file")

    def token_info(token: str) -> dict[str, Any] | None:
        try:
            alg = jwt.get_unverified_header(token).get("alg")
            if alg == "HS256" and secret is not None:
                key: Any = secret
            elif alg in ("RS256", "ES256") and keys:
                kid = str(jwt.get_unverified_header(token).get("kid", ""))
                found = keys.get(kid) or (next(iter(keys.values())) if len(keys) == 1 else None)
                if found is None or found.algorithm_name != alg:
                    return None
                key = found.key
            else:
                return None
            with warnings.catch_warnings(action="ignore", category=InsecureKeyLengthWarning):
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=[alg],
                    options={"require": ["exp"], "verify_aud": False},
                )
        except jwt.PyJWTError:
            return None
        return _with_scope_list(dict(claims))

    return token_info


def token_info_from_env(environ: Mapping[str, str] | None = None) -> TokenInfo:
    """Verify with ``$ACCORD_JWT_SECRET`` / ``$ACCORD_JWKS_FILE`` when either is set; else
    read the gateway's forwarded claims (never an unsigned token's)."""
    env = os.environ if environ is None else environ
    secret = env.get("ACCORD_JWT_SECRET") or None
    jwks = env.get("ACCORD_JWKS_FILE") or None
    if secret is None and jwks is None:
        return claims_of_forwarded_jwt
    return verifying_token_info(secret=secret, jwks_file=jwks)
