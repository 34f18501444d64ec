"""Token buckets, one per (limit, client): the subject, or the address when anonymous.

:class:`MemoryLimiter` keeps them in the process; ``accord.gateway._redis``
keeps them in Redis, so several gateway instances share one budget. Both are a
:class:`Limiter`.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from accord.gateway._config import RateLimit

__all__ = ["Decision", "Limiter", "MemoryLimiter", "decide"]


@dataclass(slots=True, frozen=True)
class Decision:
    """Whether a request may pass, and what the ``RateLimit-*`` headers should say."""

    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the bucket is full again
    retry_after: int  # seconds until one token is available (0 when allowed)

    def headers(self) -> list[tuple[bytes, bytes]]:
        out = [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset).encode()),
        ]
        if not self.allowed:
            out.append((b"retry-after", str(self.retry_after).encode()))
        return out


class Limiter(Protocol):
    """Where the buckets live."""

    async def acquire(self, key: str, limit: RateLimit) -> Decision:
        """Take one token from ``key``'s bucket (created full)."""
        ...

    async def aclose(self) -> None: ...


def decide(allowed: bool, tokens: float, limit: RateLimit) -> Decision:
    """The decision and headers for a bucket left with ``tokens`` after the request."""
    return Decision(
        allowed=allowed,
        limit=limit.burst,
        remaining=int(tokens),
        reset=math.ceil((limit.burst - tokens) / limit.rate),
        retry_after=0 if allowed else max(1, math.ceil((1.0 - tokens) / limit.rate)),
    )


class MemoryLimiter:
    """Token buckets for one process; the least recently used are forgotten past ``max_keys``."""

    def __init__(
        self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, at

    def take(self, key: str, limit: RateLimit) -> Decision:
        """Take one token from ``key``'s bucket (created full)."""
        now = self.clock()
        tokens, at = self._buckets.pop(key, (float(limit.burst), now))
        tokens = min(float(limit.burst), tokens + (now - at) * limit.rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return decide(allowed, tokens, limit)

    async def acquire(self, key: str, limit: RateLimit) -> Decision:
        return self.take(key, limit)

    async def aclose(self) -> None:
        self._buckets.clear()
