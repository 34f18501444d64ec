"""The gateway's settings: one frozen :class:`GatewayConfig`, read from ``accord.yaml``."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord._asgi import ServerLimits
from accord._errors import AccordError
from accord.workspace import Workspace

__all__ = ["AuthConfig", "BreakerConfig", "GatewayConfig", "RateLimit"]


@dataclass(slots=True, frozen=True)
class RateLimit:
    """A token bucket: ``rate`` tokens per second, holding at most ``burst``."""

    rate: float
    burst: int


@dataclass(slots=True, frozen=True)
class AuthConfig:
    """How bearer JWTs are verified (``accord.yaml`` ``gateway.auth``)."""

    issuer: str | None = None
    audience: str | None = None
    algorithms: tuple[str, ...] = ("HS256",)
    #: the HS256 secret itself (read from the variable ``secret_env`` names)
    secret: str | None = None
    jwks_file: Path | None = None
    leeway: float = 0.0
    #: sha256 hex digest of each valid API key -> the client it names
    api_keys: Mapping[str, str] = field(default_factory=dict)
    #: HTTP Basic users -> their password hash (see :func:`accord.gateway.hash_password`)
    basic_users: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class BreakerConfig:
    """Open after ``failures`` consecutive failures; probe again after ``cooldown`` seconds."""

    failures: int = 5
    cooldown: float = 10.0


@dataclass(slots=True, frozen=True)
class GatewayConfig:
    """Everything the gateway needs besides the contracts; the defaults are safe."""

    #: service name -> base URL of its upstream
    upstreams: Mapping[str, str] = field(default_factory=dict)
    validate_requests: bool = True
    validate_responses: str = "off"  # off | log | enforce
    auth: AuthConfig = field(default_factory=AuthConfig)
    #: the default limit (None: no limit)
    rate_limit: RateLimit | None = None
    #: operationId or service name -> its own limit
    limits: Mapping[str, RateLimit] = field(default_factory=dict)
    #: per client address, for requests that are anonymous or fail authentication; checked
    #: before any token is looked at (None: no limit)
    unauthenticated_limit: RateLimit | None = field(default_factory=lambda: RateLimit(20.0, 200))
    connect_timeout: float = 1.0
    read_timeout: float = 5.0
    breaker: BreakerConfig = field(default_factory=BreakerConfig)
    max_body_bytes: int = 1024 * 1024
    #: service name -> the path ``/readyz`` asks it (its ``health:``; ``/healthz`` if absent)
    health: Mapping[str, str] = field(default_factory=dict)
    #: seconds each upstream's health check may take for ``/readyz``
    ready_timeout: float = 1.0
    #: how long a client may take to send its request, and how many are served at once
    client_limits: ServerLimits = field(default_factory=ServerLimits)

    @classmethod
    def from_workspace(
        cls,
        workspace: Workspace,
        *,
        upstreams: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> GatewayConfig:
        """Settings from ``gateway:`` of ``accord.yaml``; ``upstreams`` override service URLs.

        Raises :class:`AccordError` when the HS256 secret's variable is not set.
        """
        env = os.environ if environ is None else environ
        settings = workspace.gateway.settings if workspace.gateway else {}
        urls = {n: s.base_url() for n, s in workspace.services.items()}  # its `url:`, or port
        for name, url in (upstreams or {}).items():
            if name not in urls:
                known = ", ".join(sorted(urls))
                raise AccordError(f"--upstream {name}={url}: no such service (known: {known})")
            urls[name] = url.rstrip("/")
        values: dict[str, Any] = {
            "upstreams": urls,
            "health": {n: s.health for n, s in workspace.services.items()},
            "validate_requests": bool(settings.get("validate_requests", True)),
            "validate_responses": str(settings.get("validate_responses", "off")),
            "auth": _auth(settings.get("auth") or {}, workspace.base, env),
        }
        limits = settings.get("rate_limit") or {}
        if "requests_per_second" in limits:
            values["rate_limit"] = _limit(limits)
        values["limits"] = {k: _limit(v) for k, v in (limits.get("per_operation") or {}).items()}
        if "unauthenticated" in limits:
            values["unauthenticated_limit"] = _limit(limits["unauthenticated"])
        timeouts = settings.get("timeouts") or {}
        values["connect_timeout"] = float(timeouts.get("connect", 1.0))
        values["read_timeout"] = float(timeouts.get("read", 5.0))
        defaults = ServerLimits()
        values["client_limits"] = ServerLimits(
            header_timeout=float(timeouts.get("client_headers", defaults.header_timeout)),
            body_timeout=float(timeouts.get("client_body", defaults.body_timeout)),
            max_connections=int(settings.get("max_connections", defaults.max_connections)),
        )
        values.update(overrides)
        return cls(**values)


def _limit(spec: Mapping[str, Any]) -> RateLimit:
    rate = float(spec["requests_per_second"])
    return RateLimit(rate, int(spec.get("burst", max(1, round(rate)))))


def _auth(spec: Mapping[str, Any], base: Path, env: Mapping[str, str]) -> AuthConfig:
    algorithms = tuple(spec.get("algorithms", ("HS256",)))
    secret = None
    if "HS256" in algorithms:
        name = str(spec.get("secret_env", "ACCORD_JWT_SECRET"))
        secret = env.get(name)
        if not secret:
            raise AccordError(
                f"gateway.auth: HS256 tokens need a secret, but ${name} is not set "
                f"(export {name}=... or drop HS256 from gateway.auth.algorithms)"
            )
    jwks = spec.get("jwks_file")
    if any(a != "HS256" for a in algorithms) and not jwks:
        raise AccordError("gateway.auth: RS256/ES256 need `jwks_file` (a local JWKS document)")
    return AuthConfig(
        issuer=spec.get("issuer"),
        audience=spec.get("audience"),
        algorithms=algorithms,
        secret=secret,
        jwks_file=(base / jwks) if jwks else None,
        api_keys=_api_keys(spec, env),
        basic_users=dict(spec.get("basic_users") or {}),
    )


def _api_keys(spec: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, str]:
    """``api_keys_env`` names a variable holding ``client=key`` pairs (or bare keys), separated
    by commas or whitespace; only their sha256 digests are kept."""
    name = spec.get("api_keys_env")
    if not name:
        return {}
    raw = env.get(str(name), "")
    if not raw.strip():
        raise AccordError(
            f"gateway.auth.api_keys_env: ${name} is not set (export {name}=client=key,...)"
        )
    keys: dict[str, str] = {}
    for number, item in enumerate(raw.replace(",", " ").split(), start=1):
        client, sep, key = item.partition("=")
        client, key = (client, key) if sep else (f"key{number}", client)
        if not key:
            raise AccordError(f"gateway.auth.api_keys_env: ${name} entry {number} has no key")
        keys[hashlib.sha256(key.encode()).hexdigest()] = client
    return keys
