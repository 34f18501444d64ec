"""One JSON access-log line per request, as a plain ASGI middleware."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

__all__ = ["AccessLog"]

logger = logging.getLogger("accord.access")


class AccessLog:
    """Logs ``{"time", "service", "method", "path", "status", "ms", "request_id"}`` per request."""

    def __init__(self, app: Any, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            headers = dict(scope.get("headers") or [])
            logger.info(
                json.dumps(
                    {
                        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                        "service": self.service,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "ms": round((time.perf_counter() - start) * 1000, 2),
                        "request_id": headers.get(b"x-request-id", b"").decode("latin-1") or None,
                    }
                )
            )
