"""Each operation's ``security``, checked: bearer JWTs (PyJWT), API keys and HTTP Basic.

Requirements are alternatives (any one will do) of schemes that must all pass. A scheme
the gateway has no way to check (``mutualTLS``, an apiKey or basic scheme without
configured keys or users) fails its requirement with a 401, never passes unchecked. ``{}``
lets anonymous requests through, but a credential that was presented and is wrong is
still a 401, and the ``Authorization`` header reaches a service only when the gateway
verified it.

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

import asyncio
import base64
import binascii
import json
import logging
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from accord._errors import AccordError
from accord.core import Contract, Operation
from accord.gateway._config import AuthConfig
from accord.gateway._credentials import ApiKeys, BasicUsers

__all__ = [
    "AuthError",
    "Authenticator",
    "Credentials",
    "Identity",
    "Outcome",
    "SecurityPlan",
    "TokenVerifier",
    "plan_security",
]

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

    def __init__(
        self, status: int, detail: str, challenge: str, *, presented: bool = False
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.challenge = challenge
        #: the request carried this credential (it was wrong, not missing)
        self.presented = presented


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


@dataclass(slots=True, frozen=True)
class SchemeCheck:
    """One scheme of a security requirement, as the gateway checks it."""

    name: str
    kind: str  # bearer | apiKey | basic | unchecked
    scopes: frozenset[str] = frozenset()
    #: apiKey: where the key is (header, query, cookie) and under which name
    where: str = ""
    key_name: str = ""


@dataclass(slots=True, frozen=True)
class SecurityPlan:
    """An operation's ``security``: any one requirement (OR), every scheme of it (AND)."""

    requirements: tuple[tuple[SchemeCheck, ...], ...]
    #: ``{}`` among the requirements, or no ``security`` at all
    anonymous: bool

    @property
    def public(self) -> bool:
        """No security at all: the operation takes no credentials."""
        return self.anonymous and not self.requirements


def plan_security(contract: Contract, operation: Operation) -> SecurityPlan:
    """How the gateway checks ``operation``'s effective security."""
    schemes = contract.security_schemes
    requirements: list[tuple[SchemeCheck, ...]] = []
    anonymous = not operation.security
    for requirement in operation.security:
        if not requirement:
            anonymous = True
            continue
        requirements.append(
            tuple(_check_of(name, schemes.get(name) or {}, needed)
                  for name, needed in requirement.items())
        )  # fmt: skip
    return SecurityPlan(tuple(requirements), anonymous)


def _check_of(name: str, scheme: Mapping[str, Any], needed: Sequence[str]) -> SchemeCheck:
    kind = scheme.get("type")
    http = str(scheme.get("scheme", "")).lower() if kind == "http" else ""
    if kind in _BEARER_SCHEMES or http == "bearer":
        return SchemeCheck(name, "bearer", frozenset(needed))
    if http == "basic":
        return SchemeCheck(name, "basic")
    where = str(scheme.get("in", ""))
    if kind == "apiKey" and where in ("header", "query", "cookie") and scheme.get("name"):
        return SchemeCheck(name, "apiKey", where=where, key_name=str(scheme["name"]))
    return SchemeCheck(name, "unchecked")  # mutualTLS, digest, ...


@dataclass(slots=True, frozen=True)
class Credentials:
    """Where a request's credentials are: its headers (lower-case names) and query."""

    headers: Mapping[str, str]
    query: Mapping[str, str]

    @property
    def authorization(self) -> tuple[str, str]:
        scheme, _, value = self.headers.get("authorization", "").strip().partition(" ")
        return scheme.lower(), value.strip()

    def api_key(self, check: SchemeCheck) -> str:
        if check.where == "header":
            return self.headers.get(check.key_name.lower(), "")
        if check.where == "query":
            return self.query.get(check.key_name, "")
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("cookie", ""))
        except CookieError:
            return ""
        morsel = jar.get(check.key_name)
        return morsel.value if morsel is not None else ""


@dataclass(slots=True, frozen=True)
class Outcome:
    """Who passed, and whether the ``Authorization`` header was verified (only then is it
    forwarded to the service)."""

    subject: str | None = None
    scopes: frozenset[str] = frozenset()
    authorization_verified: bool = False
    authenticated: bool = False


class Authenticator:
    """Checks a request against a :class:`SecurityPlan`: bearer JWTs, API keys, Basic."""

    def __init__(self, config: AuthConfig) -> None:
        self.tokens = TokenVerifier(config)
        self.api_keys = ApiKeys(config.api_keys)
        self.basic = BasicUsers(config.basic_users)

    def unusable(self, plan: SecurityPlan) -> list[str]:
        """The schemes of ``plan`` this gateway has no way to check (they always fail)."""
        return sorted(
            {
                f"{check.name} ({check.kind if check.kind != 'unchecked' else 'unsupported'})"
                for requirement in plan.requirements
                for check in requirement
                if check.kind == "unchecked"
                or (check.kind == "apiKey" and not self.api_keys)
                or (check.kind == "basic" and not self.basic)
            }
        )

    async def authenticate(self, plan: SecurityPlan, credentials: Credentials) -> Outcome:
        """The outcome of the first requirement the request meets; raises :class:`AuthError`.

        With ``{}`` among the requirements a request that meets none passes anonymously,
        unless it presented a credential that is wrong (401): a bad token is never ignored.
        """
        if plan.public:
            return Outcome()
        failures: list[AuthError] = []
        for requirement in plan.requirements:
            try:
                return await self._meet(requirement, credentials)
            except AuthError as exc:
                failures.append(exc)
        presented = [f for f in failures if f.presented]
        if plan.anonymous and not any(f.status == 401 for f in presented):
            return Outcome()
        raise _worst(presented or failures)

    async def _meet(self, requirement: tuple[SchemeCheck, ...], creds: Credentials) -> Outcome:
        subject: str | None = None
        scopes: frozenset[str] = frozenset()
        verified = False
        for check in requirement:
            if check.kind == "bearer":
                identity = self._bearer(check, creds)
                subject, scopes, verified = identity.subject or subject, identity.scopes, True
            elif check.kind == "basic":
                subject, verified = await self._basic(check, creds), True
            elif check.kind == "apiKey":
                client = self._api_key(check, creds)  # always checked, even after a bearer
                subject = subject or client
            else:
                raise AuthError(
                    401,
                    f"the gateway cannot check security scheme {check.name!r}",
                    'Bearer realm="accord"',
                )
        return Outcome(subject, scopes, verified, True)

    def _bearer(self, check: SchemeCheck, creds: Credentials) -> Identity:
        scheme, token = creds.authorization
        if scheme != "bearer" or not token:
            raise AuthError(401, "a bearer token is required", 'Bearer realm="accord"')
        try:
            identity = self.tokens.verify(token)
        except AuthError as exc:
            exc.presented = True
            raise
        if not check.scopes <= identity.scopes:
            wanted = " ".join(sorted(check.scopes))
            raise AuthError(
                403,
                f"the token lacks the scope(s) this operation requires: {wanted}",
                f'Bearer realm="accord", error="insufficient_scope", scope="{wanted}"',
                presented=True,
            )
        return identity

    async def _basic(self, check: SchemeCheck, creds: Credentials) -> str:
        challenge = 'Basic realm="accord", charset="UTF-8"'
        if not self.basic:
            raise AuthError(
                401,
                f"security scheme {check.name!r} (basic) has no users configured at the gateway "
                "(gateway.auth.basic_users)",
                challenge,
            )
        scheme, value = creds.authorization
        if scheme != "basic" or not value:
            raise AuthError(401, "HTTP Basic credentials are required", challenge)
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (ValueError, binascii.Error):
            raise AuthError(401, "malformed Basic credentials", challenge, presented=True) from None
        user = self.basic.remembered(decoded)
        if user is None:
            user = await asyncio.to_thread(self.basic.verify, decoded)
        if user is None:
            raise AuthError(401, "wrong user name or password", challenge, presented=True)
        return user

    def _api_key(self, check: SchemeCheck, creds: Credentials) -> str:
        challenge = f'ApiKey realm="accord", {check.where}="{check.key_name}"'
        if not self.api_keys:
            raise AuthError(
                401,
                f"security scheme {check.name!r} (apiKey) has no keys configured at the gateway "
                "(gateway.auth.api_keys_env)",
                challenge,
            )
        key = creds.api_key(check)
        if not key:
            raise AuthError(401, f"an API key is required in {check.where} {check.key_name!r}",
                            challenge)  # fmt: skip
        client = self.api_keys.client(key)
        if client is None:
            raise AuthError(401, "the API key is not valid", challenge, presented=True)
        return client


def _worst(failures: Sequence[AuthError]) -> AuthError:
    """The failure to answer with: a verified but insufficient credential (403) first."""
    return next((f for f in failures if f.status == 403), failures[0])
