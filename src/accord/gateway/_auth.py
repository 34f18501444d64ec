"""Bearer JWTs, verified with PyJWT, and the scopes each operation's ``security`` requires.

HS256 tokens are checked with the secret from the environment, RS256/ES256
tokens with the key of the local JWKS file their ``kid`` names; a token's
``alg`` must be one the gateway accepts *and* fit the key type, so an RS256
public key can never be used as an HS256 secret. ``exp`` is required;
``nbf``, ``iss`` and ``aud`` are checked whenever configured or present.

A token that verified is remembered (up to ``CACHE_SIZE`` of them) until it
expires: clients send the same token on every request, and checking its
signature and claims again each time is most of what authentication costs.
Only ``exp`` can turn a good token bad as time passes (``nbf`` and ``iat`` only
ever become truer), so a remembered token is checked against ``exp`` alone.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from accord._errors import AccordError
from accord.core import Contract, Operation
from accord.gateway._config import AuthConfig

__all__ = ["AuthError", "Identity", "TokenVerifier", "authorise", "required_scopes"]

logger = logging.getLogger("accord.gateway")

#: security scheme types whose credential is a bearer token the gateway can verify
_BEARER_SCHEMES = ("oauth2", "openIdConnect")
#: how many verified tokens a verifier remembers
CACHE_SIZE = 10_000


@dataclass(slots=True, frozen=True)
class Identity:
    """The verified subject and scopes of a bearer token."""

    subject: str | None
    scopes: frozenset[str]
    claims: Mapping[str, Any]


class AuthError(Exception):
    """A missing or unusable token (401), or one without the scopes needed (403)."""

    def __init__(self, status: int, detail: str, challenge: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.challenge = challenge


class TokenVerifier:
    """Verifies bearer JWTs against one :class:`AuthConfig`."""

    def __init__(self, config: AuthConfig) -> None:
        self.config = config
        self._keys: dict[str, Any] = {}
        self._verified: dict[str, tuple[Identity, float]] = {}  # token -> identity, exp
        if config.secret is not None and len(config.secret.encode()) < 32:
            logger.warning(
                "the HS256 secret is shorter than 32 bytes (RFC 7518 3.2); use a longer one"
            )
        if config.jwks_file is not None:
            try:
                document = json.loads(config.jwks_file.read_text("utf-8"))
                jwks = jwt.PyJWKSet.from_dict(document)
            except (OSError, ValueError, jwt.PyJWTError) as exc:
                raise AccordError(
                    f"{config.jwks_file}: not a usable JWKS document: {exc}"
                ) from None
            for key in jwks.keys:
                self._keys[key.key_id or ""] = key

    def verify(self, token: str) -> Identity:
        """The token's identity; raises :class:`AuthError` (401) when it cannot be trusted."""
        known = self._verified.get(token)
        if known is not None:
            identity, expires = known
            if expires > time.time() - self.config.leeway:
                return identity
            del self._verified[token]
            raise _invalid("Signature has expired")
        identity = self._verify(token)
        if len(self._verified) >= CACHE_SIZE:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = identity, float(identity.claims["exp"])
        return identity

    def _verify(self, token: str) -> Identity:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise _invalid(f"malformed token: {exc}") from None
        alg = header.get("alg")
        if alg not in self.config.algorithms:
            raise _invalid(f"tokens signed with {alg!r} are not accepted")
        key: Any
        if alg == "HS256":
            key = self.config.secret
        else:
            found = self._keys.get(str(header.get("kid", "")))
            if found is None and len(self._keys) == 1 and "kid" not in header:
                found = next(iter(self._keys.values()))
            if found is None or found.algorithm_name != alg:
                raise _invalid("no key of the JWKS file matches the token's `kid` and `alg`")
            key = found.key
        if key is None:
            raise _invalid("no key to verify this token")
        try:
            with warnings.catch_warnings(action="ignore", category=InsecureKeyLengthWarning):
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=[alg],
                    audience=self.config.audience,
                    issuer=self.config.issuer,
                    leeway=self.config.leeway,
                    options={"require": ["exp"], "verify_aud": self.config.audience is not None},
                )
        except jwt.PyJWTError as exc:
            raise _invalid(str(exc)) from None
        return Identity(_subject(claims), _scopes(claims), claims)


def _invalid(detail: str) -> AuthError:
    return AuthError(401, detail, 'Bearer realm="accord", error="invalid_token"')


def _subject(claims: Mapping[str, Any]) -> str | None:
    sub = claims.get("sub")
    return sub if isinstance(sub, str) and sub else None


def _scopes(claims: Mapping[str, Any]) -> frozenset[str]:
    raw = claims.get("scope", claims.get("scp", ""))
    if isinstance(raw, str):
        return frozenset(raw.split())
    if isinstance(raw, list):
        return frozenset(str(s) for s in raw)
    return frozenset()


def required_scopes(contract: Contract, operation: Operation) -> list[frozenset[str]] | None:
    """The alternatives of scopes the operation accepts; None when it is anonymous.

    Each alternative is one security requirement of the operation; a requirement
    naming a scheme the gateway cannot verify (an API key, ...) is left to the service.
    """
    if not operation.security:
        return None
    schemes = contract.security_schemes
    alternatives: list[frozenset[str]] = []
    for requirement in operation.security:
        scopes: set[str] = set()
        for name, needed in requirement.items():
            scheme = schemes.get(name) or {}
            kind = scheme.get("type")
            bearer = kind in _BEARER_SCHEMES or (
                kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer"
            )
            if not bearer:
                return None
            scopes.update(needed)
        if not requirement:
            return None  # `{}` among the requirements: anonymous access is allowed
        alternatives.append(frozenset(scopes))
    return alternatives


def authorise(
    verifier: TokenVerifier, authorization: str, alternatives: Sequence[frozenset[str]]
) -> Identity:
    """Verify the ``Authorization`` header and check it grants one alternative of scopes."""
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError(401, "a bearer token is required", 'Bearer realm="accord"')
    identity = verifier.verify(token.strip())
    if not any(needed <= identity.scopes for needed in alternatives):
        wanted = " ".join(sorted(alternatives[0]))
        raise AuthError(
            403,
            f"the token lacks the scope(s) this operation requires: {wanted}",
            f'Bearer realm="accord", error="insufficient_scope", scope="{wanted}"',
        )
    return identity
