"""The last step: choose the answer (Prefer, examples, generated data) and send it.

The order is the one Prism users know: ``Prefer: code=NNN``, ``Prefer:
example=NAME``, ``Prefer: dynamic=true``; then the operation's first documented
2xx, answered from its first valid example or from data generated from its
schema; else 501 with a problem that says what is missing.
"""

from __future__ import annotations

import itertools
import random
import zlib

from accord.mock._asgi import Receive, Scope, Send
from accord.mock._exchange import Exchange, exchange_of
from accord.mock._plan import OperationPlan, Problem
from accord.mock._responses import Canned, ResponsePlan
from accord.mock._steps import answer, reject

__all__ = ["SCENARIO_HEADER", "Respond"]

#: names the scenario of ``mocks/<service>.yaml`` to answer from
SCENARIO_HEADER = "x-accord-scenario"


class Respond:
    """Answers from the contract; every choice but ``dynamic`` was computed before."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._counter = itertools.count()  # draws of `Prefer: dynamic=true`, for variety

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        assert ex.plan is not None
        plan = ex.plan
        chosen, problem = self._choose(ex, plan)
        if problem is not None:
            await reject(send, ex, problem)
            return
        assert chosen is not None
        canned, source = chosen
        await answer(send, ex, canned, source)

    def _choose(
        self, ex: Exchange, plan: OperationPlan
    ) -> tuple[tuple[Canned, str] | None, Problem | None]:
        prefer = ex.prefer
        target: ResponsePlan | None = plan.default
        if "code" in prefer:
            code = prefer["code"]
            found = plan.response_for(int(code)) if code.isdigit() else None
            if found is None:
                documented = ", ".join(plan.responses) or "none"
                return None, Problem(
                    400,
                    f"Prefer: code={code} names a response {plan.operation.name} does not "
                    f"document (documented: {documented})",
                )
            target = found
        if "example" in prefer:
            name = prefer["example"]
            candidates = [target] if "code" in prefer and target else list(plan.responses.values())
            for candidate in candidates:
                if candidate is None:
                    continue
                canned = candidate.with_example(name)
                if canned is not None:
                    return (_with_status(canned, candidate, prefer), "example"), None
            names = sorted({n for c in candidates if c for n in c.example_names()})
            return None, Problem(
                400,
                f"Prefer: example={name} names no example of {plan.operation.name} "
                f"(examples: {', '.join(names) or 'none'})",
            )
        if "code" not in prefer and "dynamic" not in prefer and ex.service is not None:
            scenario = ex.headers.get(SCENARIO_HEADER)
            if scenario is not None:
                answers = ex.service.scenarios.get(scenario)
                if answers is None:
                    known = ", ".join(sorted(ex.service.scenarios)) or "none"
                    return None, Problem(
                        400, f"unknown scenario {scenario!r} for {ex.service.name} (known: {known})"
                    )
                op = plan.operation
                found = answers.get((op.method, op.path))
                if found is not None:
                    return (found, f"scenario:{scenario}"), None
        if target is None:
            return None, Problem(501, f"{plan.operation.name} documents no response")
        if prefer.get("dynamic", "").lower() == "true":
            canned = target.dynamic(self._rng(plan))
            if canned is not None:
                return (_with_status(canned, target, prefer), "dynamic"), None
        canned = target.canned()
        if canned is None:
            return None, Problem(501, target.why_not)
        return (_with_status(canned, target, prefer), "contract"), None

    def _rng(self, plan: OperationPlan) -> random.Random:
        text = f"{self.seed}:{plan.operation.key}:{next(self._counter)}"
        return random.Random(zlib.crc32(text.encode()))


def _with_status(canned: Canned, target: ResponsePlan, prefer: dict[str, str]) -> Canned:
    """``Prefer: code=404`` answered by a ``4XX`` or ``default`` response keeps its 404."""
    code = prefer.get("code", "")
    if code.isdigit() and target.key != code and canned.status != int(code):
        return Canned(int(code), canned.body, canned.content_type, canned.headers)
    return canned
