"""Layer 3, the gateway: a reverse proxy whose routes, checks and security are the contracts."""

from accord.gateway._app import GatewayApp
from accord.gateway._auth import AuthError, Identity, TokenVerifier
from accord.gateway._config import AuthConfig, BreakerConfig, GatewayConfig, RateLimit
from accord.gateway._credentials import hash_password
from accord.gateway._observe import child_traceparent
from accord.gateway._proxy import IDENTITY_HEADERS
from accord.gateway._ratelimit import Decision, Limiter, MemoryLimiter
from accord.gateway._redis import RedisLimiter
from accord.gateway._routing import check_path
from accord.gateway._upstream import Breaker, UpstreamError

__all__ = [
    "IDENTITY_HEADERS",
    "AuthConfig",
    "AuthError",
    "Breaker",
    "BreakerConfig",
    "Decision",
    "GatewayApp",
    "GatewayConfig",
    "Identity",
    "Limiter",
    "MemoryLimiter",
    "RateLimit",
    "RedisLimiter",
    "TokenVerifier",
    "UpstreamError",
    "check_path",
    "child_traceparent",
    "hash_password",
]
