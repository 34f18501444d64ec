"""Pact mode: answer with the interactions of pact files, matched with Pact's rules.

The provider state is chosen per request with the ``X-Accord-Provider-State`` header
(or ``X-Pact-Provider-State``), or for every request until changed with ``POST
/_accord/pact-states`` ``{"states": [...]}`` (``[]`` clears them): then only the
interactions whose provider states are all among the chosen ones (and those without
states) are candidates, so one request's answers keep to one story. ``accord verify``
sets them from what the provider's own state handler says its dependencies' states are.
Without a chosen state every interaction is a candidate. Of the interactions whose
request matches, the first with a 2xx response answers (else the first): without a
chosen state, a mock takes the happy path. A request that matches none gets a 404
problem naming the closest interaction and every way the request differs from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from accord._json import JSONError, JSONTooDeep, dump_json, read_json
from accord.core import Body, HttpResponse, Interaction, PactFile, is_json_media
from accord.mock._asgi import Receive, Scope, Send
from accord.mock._body import read_body
from accord.mock._exchange import Exchange, exchange_of
from accord.mock._pact_match import match_request
from accord.mock._plan import Problem, plain_problem
from accord.mock._responses import Canned
from accord.mock._steps import answer

__all__ = ["STATES_PATH", "STATE_HEADERS", "PactResponder"]

STATE_HEADERS = ("x-accord-provider-state", "x-pact-provider-state")
#: where the states every later request is answered in are chosen
STATES_PATH = "/_accord/pact-states"


class PactResponder:
    """The endpoint of pact mode (it replaces routing and the contract's answers)."""

    def __init__(self, pacts: Sequence[PactFile], max_body_bytes: int) -> None:
        self.interactions = [i for p in pacts for i in p.interactions if i.is_http]
        self.max_body_bytes = max_body_bytes
        self.known = frozenset(s.name for i in self.interactions for s in i.provider_states)
        self.chosen: frozenset[str] = frozenset()  # POST /_accord/pact-states

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        raw = await read_body(receive, self.max_body_bytes, ex.headers.get("content-length"))
        if isinstance(raw, Problem):
            await answer(send, ex, plain_problem(raw), "problem")
            return
        if ex.path == STATES_PATH:
            await self._choose(send, ex, ex.method, raw)
            return
        state = next((ex.headers[h] for h in STATE_HEADERS if h in ex.headers), None)
        candidates = self.interactions
        if state is None and self.chosen:
            candidates = [
                i for i in candidates if {s.name for s in i.provider_states} <= self.chosen
            ]
        if state is not None:
            candidates = [i for i in candidates if state in {s.name for s in i.provider_states}]
            if not candidates:
                known = sorted({s.name for i in self.interactions for s in i.provider_states})
                detail = f"no interaction has the provider state {state!r} (known: {known})"
                await answer(send, ex, plain_problem(Problem(400, detail)), "problem")
                return
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(ex.raw_query.decode("latin-1"), keep_blank_values=True):
            query.setdefault(key, []).append(value)
        headers = {k: (v,) for k, v in ex.headers.items() if k not in STATE_HEADERS}
        body = _body(raw, ex.headers.get("content-type"))
        if isinstance(body, Problem):
            await answer(send, ex, plain_problem(body), "problem")
            return
        closest: tuple[int, Interaction, list[str]] | None = None
        matching: list[Interaction] = []
        for interaction in candidates:
            assert interaction.request is not None and interaction.response is not None
            found = match_request(interaction.request, ex.method, ex.path, query, headers, body)
            if not found:
                matching.append(interaction)
            elif closest is None or len(found) < closest[0]:
                closest = (len(found), interaction, [str(m) for m in found])
        if matching:
            # without a chosen state, the happy path answers: the first 2xx, else the first
            best = next((i for i in matching if _succeeds(i)), matching[0])
            assert best.response is not None
            await answer(send, ex, _canned(best.response), "pact")
            return
        await answer(send, ex, plain_problem(_no_match(closest, ex.method, ex.path)), "problem")

    async def _choose(self, send: Send, ex: Exchange, method: str, raw: bytes) -> None:
        """``POST {"states": [...]}`` chooses the states later requests are answered in."""
        if method == "POST":
            try:
                payload = read_json(raw) if raw else None
            except JSONError:
                payload = None
            states = payload.get("states") if isinstance(payload, dict) else None
            if not isinstance(states, list) or not all(isinstance(s, str) for s in states):
                problem = Problem(400, 'expected {"states": ["<provider state>", ...]}')
                await answer(send, ex, plain_problem(problem), "problem")
                return
            unknown = sorted(set(states) - self.known)
            if unknown:
                detail = (
                    f"no interaction has the provider state(s) {unknown} "
                    f"(known: {sorted(self.known)})"
                )
                await answer(send, ex, plain_problem(Problem(400, detail)), "problem")
                return
            self.chosen = frozenset(states)
        elif method != "GET":
            await answer(send, ex, plain_problem(Problem(405, "GET or POST")), "problem")
            return
        body = dump_json({"states": sorted(self.chosen)})
        await answer(send, ex, Canned(200, body, "application/json", ()), "pact")


def _succeeds(interaction: Interaction) -> bool:
    return interaction.response is not None and 200 <= interaction.response.status < 300


def _no_match(
    closest: tuple[int, Interaction, list[str]] | None, method: str, path: str
) -> Problem:
    if closest is None:
        return Problem(404, f"no interaction of the pacts answers {method} {path}")
    _, interaction, reasons = closest
    errors = tuple({"pointer": r.split(":", 1)[0], "message": r} for r in reasons)
    detail = (
        f"no interaction matches {method} {path}; the closest is {interaction.description!r} "
        f"({interaction.pointer}), which differs in {len(reasons)} way(s)"
    )
    return Problem(404, detail, errors)


def _body(raw: bytes, content_type: str | None) -> Body | Problem:
    if not raw:
        return Body(False, None, content_type)
    if not content_type or is_json_media(content_type):
        try:
            return Body(True, read_json(raw), content_type)
        except JSONTooDeep as exc:  # no interaction can match it; never parsed further
            return Problem(400, f"the body is {exc}")
        except JSONError:
            pass  # compared as text: the closest interaction will say how it differs
    try:
        return Body(True, raw.decode("utf-8"), content_type)
    except UnicodeDecodeError:
        return Body(True, raw, content_type)


def _canned(response: HttpResponse) -> Canned:
    headers = [
        (name.encode("latin-1"), ", ".join(values).encode("latin-1", "replace"))
        for name, values in response.headers.items()
        if name not in ("content-length", "content-type")
    ]
    body = response.body
    content_type = response.headers.get("content-type", (body.content_type,))[0]
    payload: Any = body.content
    if not body.present or payload is None:
        data = b""
    elif isinstance(payload, bytes):
        data = payload
    elif isinstance(payload, str) and not body.is_json:
        data = payload.encode()
    else:
        data = dump_json(payload)
        content_type = content_type or "application/json"
    return Canned(response.status, data, content_type if data else None, tuple(headers))
