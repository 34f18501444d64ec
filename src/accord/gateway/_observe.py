"""Request ids, W3C trace context and the access log: the outermost step."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from datetime import UTC, datetime

from accord.gateway._asgi import (
    ASGIApp,
    Exchange,
    Message,
    Receive,
    Scope,
    Send,
    exchange_of,
    send_problem,
)

__all__ = ["Observe", "child_traceparent"]

access_log = logging.getLogger("accord.gateway.access")
logger = logging.getLogger("accord.gateway")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")


def child_traceparent(incoming: str) -> str:
    """A ``traceparent`` for the hop to the upstream: same trace id, a new span id.

    An absent or malformed header starts a new trace (sampled).
    """
    found = _TRACEPARENT.fullmatch(incoming.strip().lower())
    trace_id, flags = secrets.token_hex(16), "01"
    if found and found[1] != "ff" and set(found[2]) != {"0"} and set(found[3]) != {"0"}:
        trace_id, flags = found[2], found[4]
    return f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"


class Observe:
    """Assigns the request id and trace context, answers 500 on a bug, logs one JSON line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        given = ex.headers.get("x-request-id", "")
        ex.request_id = given if _REQUEST_ID.fullmatch(given) else secrets.token_hex(16)
        ex.traceparent = child_traceparent(ex.headers.get("traceparent", ""))
        ex.extra_headers.append((b"x-request-id", ex.request_id.encode()))
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                ex.status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            logger.exception("gateway bug while handling %s %s", ex.method, ex.path)
            if started:
                raise
            await send_problem(send, ex, 500, "the gateway failed; see its log")
        finally:
            self._log(ex)

    @staticmethod
    def _log(ex: Exchange) -> None:
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "request_id": ex.request_id,
            "method": ex.method,
            "path": ex.path,
            "operationId": ex.operation_id,
            "status": ex.status,
            "latency_ms": round((time.perf_counter() - ex.started) * 1000, 2),
            "upstream": ex.service,
            "subject": ex.subject,
        }
        access_log.info(json.dumps(line))
