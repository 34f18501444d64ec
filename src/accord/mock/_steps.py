"""The request pipeline, one small ASGI middleware per concern, in the order they run.

``RequestLog`` -> ``Guard`` -> ``Route`` -> ``Authenticate`` -> ``CheckParameters``
-> ``ReadBody`` -> (``Stateful``) -> ``Respond``. Each step reads and fills the
request's :class:`~accord.mock._exchange.Exchange` in the ASGI scope, and either
answers or hands on to the next one.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from xml.etree import ElementTree

from accord.core import Direction, cookies_of, path_as_sent, read_parameters
from accord.mock._asgi import ASGIApp, Message, Receive, Scope, Send, send_bytes
from accord.mock._body import ParsedBody, parse_body, read_body, unchecked
from accord.mock._config import MockConfig
from accord.mock._exchange import Exchange, Service, exchange_of
from accord.mock._plan import Problem, plain_problem
from accord.mock._responses import Canned
from accord.mock._typing import typed_form
from accord.mock._xml import xml_to_data

__all__ = [
    "Authenticate",
    "CheckParameters",
    "Guard",
    "ReadBody",
    "RequestLog",
    "Route",
    "answer",
    "reject",
]

logger = logging.getLogger("accord.mock")


async def answer(send: Send, ex: Exchange, canned: Canned, source: str) -> None:
    """Send ``canned`` and note what answered."""
    ex.status = canned.status
    ex.source = source
    await send_bytes(
        send, canned.status, canned.body, canned.headers, content_type=canned.content_type
    )


async def reject(send: Send, ex: Exchange, problem: Problem) -> None:
    """Send ``problem``, fitted to the operation's documented errors when there is one."""
    canned = ex.plan.problem(problem, ex.path) if ex.plan else plain_problem(problem)
    await answer(send, ex, canned, "problem")


class RequestLog:
    """Outermost step: one JSON line per request (method, path, status, source, ms)."""

    def __init__(self, app: ASGIApp, sink: Callable[[str], None] | None) -> None:
        self.app = app
        self.sink = sink

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        await self.app(scope, receive, send)
        if self.sink is not None:
            line = {
                "method": ex.method,
                "path": ex.path,
                "status": ex.status,
                "operation": ex.plan.operation.name if ex.plan else None,
                "source": ex.source,
                "ms": round((time.perf_counter() - ex.started) * 1000, 2),
            }
            self.sink(json.dumps(line))


class Guard:
    """Turns an unexpected exception into a 500 problem (a bug in the mock, logged)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            logger.exception("mock failed on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                ex = exchange_of(scope)
                problem = Problem(500, f"the mock failed: {type(exc).__name__}: {exc}")
                await answer(send, ex, plain_problem(problem), "error")


class Route:
    """Finds the operation: 404 for an unknown path, 405 (with ``Allow``) for a wrong method."""

    def __init__(self, app: ASGIApp, services: Sequence[Service]) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        allowed: list[str] = []
        for service in self.services:
            found = service.contract.match(ex.method, ex.path)
            if found is not None:
                ex.service = service
                ex.plan = service.plan(found.operation)
                ex.path_params = found.path_params
                raw = scope.get("raw_path")
                if isinstance(raw, bytes):
                    ex.path_sent = path_as_sent(raw, found.operation.path)
                break
            allowed += service.contract.allowed_methods(ex.path)
        if ex.plan is None:
            if allowed:
                methods = ", ".join(dict.fromkeys(allowed))
                problem = Problem(
                    405,
                    f"{ex.method} is not documented for {ex.path}; documented: {methods}",
                    headers=((b"allow", methods.encode()),),
                )
            else:
                problem = Problem(404, f"no operation of the contract matches the path {ex.path}")
            await reject(send, ex, problem)
            return
        reason = ex.parse_query()
        if reason is not None:
            await reject(send, ex, Problem(400, reason))
            return
        await self.app(scope, receive, send)


class Authenticate:
    """401 when an operation's security needs a credential the request lacks (never checked)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        assert ex.plan is not None
        if not ex.plan.has_credentials(ex.headers, ex.query):
            challenges = ex.plan.challenges()
            problem = Problem(
                401,
                f"{ex.plan.operation.name} needs credentials: {ex.plan.wanted_credentials()}; "
                "the mock accepts any value except one containing 'invalid'",
                headers=((b"www-authenticate", challenges.encode()),) if challenges else (),
            )
            await reject(send, ex, problem)
            return
        await self.app(scope, receive, send)


class CheckParameters:
    """Types path, query, header and cookie parameters; 400 listing every bad one."""

    def __init__(self, app: ASGIApp, config: MockConfig) -> None:
        self.app = app
        self.validate = config.validate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        assert ex.plan is not None and ex.service is not None
        cookies = cookies_of(ex.headers.get("cookie", ""))
        parsed = read_parameters(
            ex.service.contract,
            ex.plan.parameters,
            ex.path_params if ex.path_sent is None else ex.path_sent,
            ex.query,
            ex.headers,
            cookies,
            validate=self.validate,
            path_encoded=ex.path_sent is not None,
            query_sent=ex.query_sent,
        )
        if parsed.errors and self.validate:
            detail = f"{len(parsed.errors)} parameter(s) do not match the contract"
            await reject(send, ex, Problem(400, detail, tuple(parsed.errors)))
            return
        ex.params = parsed.values
        await self.app(scope, receive, send)


class ReadBody:
    """Reads the body within the size limit, parses it per its media type and checks it."""

    def __init__(self, app: ASGIApp, config: MockConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        assert ex.plan is not None and ex.service is not None
        raw = await read_body(receive, self.config.max_body_bytes, ex.headers.get("content-length"))
        if isinstance(raw, Problem):
            await reject(send, ex, raw)
            return
        operation = ex.plan.operation
        parsed = parse_body(
            operation.request_body, raw, ex.headers.get("content-type"), self.config.max_depth
        )
        if isinstance(parsed, Problem):
            if self.config.validate or parsed.status == 413:
                await reject(send, ex, parsed)
                return
            parsed = ParsedBody(None, None, present=bool(raw))
        value = None if unchecked(parsed) else parsed.value
        media = parsed.media
        schema = media.schema if media is not None else None
        if schema is not None and isinstance(value, dict) and media and _is_form(media.name):
            value = typed_form(ex.service.contract, schema, value)
        elif isinstance(value, ElementTree.Element):
            value = xml_to_data(ex.service.contract, schema, value) if schema else None
        if self.config.validate and not unchecked(parsed) and media and schema is not None:
            validator = ex.service.contract.validator(schema, Direction.REQUEST)
            # is_valid is a fraction of a microsecond; listing the violations costs far more
            errors = [] if validator.is_valid(value) else validator.errors(value, 50)
            errors += ex.service.int_ranges.violations(schema, value)
            if errors:
                detail = f"the request body does not match the contract ({media.name})"
                await reject(send, ex, Problem(400, detail, tuple(errors)))
                return
        ex.body = value
        ex.body_present = parsed.present
        await self.app(scope, receive, send)


def _is_form(media: str) -> bool:
    return media.lower().startswith("application/x-www-form-urlencoded")
