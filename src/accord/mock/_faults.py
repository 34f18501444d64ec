"""Fault injection: latency, error responses and dropped connections, per service or operation.

Faults are drawn from a ``random.Random`` seeded by the mock's seed, so a run
with the same seed and the same requests injects the same faults.
"""

from __future__ import annotations

import asyncio
import random

from accord.mock._asgi import ASGIApp, Receive, Scope, Send
from accord.mock._config import FaultPlan
from accord.mock._exchange import exchange_of
from accord.mock._plan import Problem
from accord.mock._steps import reject

__all__ = ["InjectFaults"]


class InjectFaults:
    """Delays, fails or drops requests as the :class:`FaultPlan` says (after routing)."""

    def __init__(self, app: ASGIApp, plan: FaultPlan, seed: int) -> None:
        self.app = app
        self.plan = plan
        self.rng = random.Random(seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        assert ex.plan is not None and ex.service is not None
        faults = self.plan.faults_for(ex.service.name, ex.plan.operation.name)
        if faults.latency is not None:
            await asyncio.sleep(faults.latency.draw(self.rng))
        if faults.reset_rate and self.rng.random() < faults.reset_rate:
            # promise a body, send a byte of it and stop: the server drops the connection
            ex.status, ex.source = 0, "fault:reset"
            start = {"type": "http.response.start", "status": 200,
                     "headers": [(b"content-length", b"1024")]}  # fmt: skip
            await send(start)
            await send({"type": "http.response.body", "body": b"{", "more_body": True})
            return
        if faults.error_rate and self.rng.random() < faults.error_rate:
            detail = f"fault injected by the mock (error rate {faults.error_rate:g})"
            await reject(send, ex, Problem(faults.error_status, detail))
            ex.source = "fault:error"
            return
        await self.app(scope, receive, send)
