"""Token buckets in Redis: several gateway instances share one budget per client.

One Lua script refills and takes a token atomically, with Redis's own clock
(``TIME``), so instances with drifting clocks still agree. Buckets expire once
they would be full again. Needs the ``redis`` package (imported on first use).
"""

from __future__ import annotations

from typing import Any

from accord._errors import AccordError
from accord.gateway._config import RateLimit
from accord.gateway._ratelimit import Decision, decide

__all__ = ["RedisLimiter"]

_SCRIPT = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local data = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(data[1]) or burst
local at = tonumber(data[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return {allowed, tostring(tokens)}
"""


class RedisLimiter:
    """Token buckets in the Redis at ``url`` (``redis://127.0.0.1:6379/0``)."""

    def __init__(self, url: str, *, prefix: str = "accord:rl:") -> None:
        try:
            import redis.asyncio as redis  # noqa: PLC0415 - optional dependency
        except ImportError:
            raise AccordError("a Redis rate limiter needs the `redis` package") from None
        self.prefix = prefix
        self._client: Any = redis.Redis.from_url(url)
        self._script: Any = self._client.register_script(_SCRIPT)

    async def acquire(self, key: str, limit: RateLimit) -> Decision:
        """Take one token from ``key``'s shared bucket."""
        allowed, tokens = await self._script(
            keys=[self.prefix + key], args=[limit.rate, limit.burst]
        )
        return decide(bool(allowed), float(tokens), limit)

    async def aclose(self) -> None:
        await self._client.aclose()
