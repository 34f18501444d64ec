"""The last step: choose the answer (Prefer, examples, generated data) and send it.

The order is the one Prism users know: ``Prefer: code=NNN``, ``Prefer:
example=NAME``, ``Prefer: dynamic=true``; then the operation's first documented
2xx, answered from its first valid example or from data generated from its
schema; else 501 with a problem that says what is missing. The response comes
in the documented media type ``Accept`` prefers (JSON when it does not care);
406 when a success response documents none the request accepts.
"""

from __future__ import annotations

import itertools
import random
import zlib

from accord.mock._accept import accepts_anything
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
        accept = ex.headers.get("accept")
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
            return self._example(plan, prefer, accept, target)
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
                scripted = answers.get((op.method, op.path))
                if scripted is not None:
                    chosen = scripted.for_accept(accept)
                    if chosen is None and scripted.status < 400:
                        return None, _refused(accept, scripted)
                    return (chosen or scripted, f"scenario:{scenario}"), None
        if target is None:
            return None, Problem(501, f"{plan.operation.name} documents no response")
        if not accepts_anything(accept):
            assert accept is not None
            ranked = _negotiate(target, accept, prefer)
            if not ranked:
                return None, _not_acceptable(target, accept)
            target = ranked[0]
        if prefer.get("dynamic", "").lower() == "true":
            canned = target.dynamic(self._rng(plan))
            if canned is not None:
                return (_with_status(canned, target, prefer), "dynamic"), None
        canned = target.canned()
        if canned is None:
            return None, Problem(501, target.why_not)
        return (_with_status(canned, target, prefer), "contract"), None

    def _example(
        self,
        plan: OperationPlan,
        prefer: dict[str, str],
        accept: str | None,
        target: ResponsePlan | None,
    ) -> tuple[tuple[Canned, str] | None, Problem | None]:
        """``Prefer: example=NAME``: the named example, in a media type the request accepts."""
        name = prefer["example"]
        candidates = [target] if "code" in prefer and target else list(plan.responses.values())
        refused: ResponsePlan | None = None
        for candidate in candidates:
            if candidate is None:
                continue
            offered = candidate.offered()
            ranked = offered if accepts_anything(accept) else _negotiate(candidate, accept, prefer)
            for variant in ranked:
                canned = variant.with_example(name)
                if canned is not None:
                    return (_with_status(canned, variant, prefer), "example"), None
            if refused is None and any(name in v.examples for v in offered):
                refused = candidate
        if refused is not None and accept is not None:
            return None, _not_acceptable(refused, accept)
        names = sorted({n for c in candidates if c for v in c.offered() for n in v.example_names()})
        return None, Problem(
            400,
            f"Prefer: example={name} names no example of {plan.operation.name} "
            f"(examples: {', '.join(names) or 'none'})",
        )

    def _rng(self, plan: OperationPlan) -> random.Random:
        text = f"{self.seed}:{plan.operation.key}:{next(self._counter)}"
        return random.Random(zlib.crc32(text.encode()))


def _negotiate(
    target: ResponsePlan, accept: str | None, prefer: dict[str, str]
) -> tuple[ResponsePlan, ...]:
    """The media types of ``target`` the request accepts, best first.

    An error answer (status 400 and up) is never refused: when nothing is
    acceptable it comes in its own media types anyway.
    """
    if accept is None:
        return target.offered()
    ranked = target.acceptable(accept)
    if not ranked and _status(target, prefer) >= 400:
        return target.offered()
    return ranked


def _not_acceptable(target: ResponsePlan, accept: str) -> Problem:
    offered = ", ".join(target.media_types())
    return Problem(
        406,
        f"{target.operation.name} answers {target.key} as {offered}; none is acceptable "
        f"(Accept: {accept[:200]})",
    )


def _refused(accept: str | None, scripted: Canned) -> Problem:
    """The 406 of a scripted success answer in no media type the request accepts."""
    offered = ", ".join(c.content_type or "" for c in (scripted, *scripted.alternatives))
    return Problem(
        406,
        f"the scenario answers as {offered}, none of which is acceptable "
        f"(Accept: {(accept or '')[:200]})",
    )


def _status(target: ResponsePlan, prefer: dict[str, str]) -> int:
    code = prefer.get("code", "")
    return int(code) if code.isdigit() else target.status


def _with_status(canned: Canned, target: ResponsePlan, prefer: dict[str, str]) -> Canned:
    """``Prefer: code=404`` answered by a ``4XX`` or ``default`` response keeps its 404."""
    code = prefer.get("code", "")
    if code.isdigit() and target.key != code and canned.status != int(code):
        return Canned(int(code), canned.body, canned.content_type, canned.headers)
    return canned
