"""Support for generated server stubs: serve a service implementation with connexion.

The generated ``server.py`` describes every operation in an :class:`OperationSpec`
table and a ``typing.Protocol`` for the implementation; :func:`build_app` checks
the implementation has every handler (naming the ones it lacks), then wires each
operationId to a small adapter that turns connexion's arguments into the typed
arguments of the handler, and the handler's result into a response with the
declared status and content type.
"""

from __future__ import annotations

import inspect
import json
import re
import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeAlias, TypeVar, Union

from pydantic import BaseModel, TypeAdapter, ValidationError

from accord.runtime._guard import ContractGuard
from accord.runtime._messages import MessageProducers
from accord.runtime._observe import AccessLog
from accord.runtime._service import ProviderStates
from accord.runtime._tokens import TokenInfo, token_info_from_env

__all__ = [
    "AppOptions",
    "HttpProblem",
    "OperationSpec",
    "Reply",
    "Result",
    "StubError",
    "build_app",
]

T = TypeVar("T")
PROBLEM_JSON = "application/problem+json"


class StubError(Exception):
    """The implementation does not fit the generated interface (a handler is missing)."""


class HttpProblem(Exception):
    """Raise from a handler to answer with an RFC 9457 problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        type: str = "about:blank",
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}" + (f": {detail}" if detail else ""))
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.errors = errors or []
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            out["detail"] = self.detail
        out["errors"] = self.errors
        return out


@dataclass(slots=True, frozen=True)
class Reply(Generic[T]):
    """A handler result with an explicit status or headers (default: the first documented 2xx)."""

    body: T
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


#: what a handler returns: the body, a ``Reply``, or (``async def``) an awaitable of either
Result: TypeAlias = Union[T, "Reply[Any]", Awaitable[Union[T, "Reply[Any]"]]]


@dataclass(slots=True, frozen=True)
class OperationSpec:
    """What the wiring needs to know about one operation (generated, never written by hand)."""

    operation_id: str
    handler: str
    method: str = ""
    path: str = ""
    path_params: tuple[tuple[str, str], ...] = ()  # (name in the contract, python name)
    query_params: tuple[tuple[str, str], ...] = ()
    header_params: tuple[tuple[str, str], ...] = ()
    body: Any = None  # the body's type, or None when the operation takes none
    responses: Mapping[int, tuple[Any, str | None]] = field(default_factory=dict)
    default_status: int = 200


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


_MICROS = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{3})000)?(Z|[+-]\d\d:\d\d)$")


def _millis(value: Any) -> Any:
    """Timestamps are written with exactly 3 fraction digits (pydantic writes 0 or 6)."""
    if isinstance(value, str):
        if 20 <= len(value) <= 32 and value[4:5] == "-":
            return _MICROS.sub(lambda m: f"{m[1]}.{m[2] or '000'}{m[3]}", value)
        return value
    if isinstance(value, dict):
        return {k: _millis(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_millis(v) for v in value]
    return value


def _serialise(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _millis(value.model_dump(mode="json", by_alias=True, exclude_unset=True))
    if isinstance(value, list):
        return [_serialise(v) for v in value]
    return value


def _problem(problem: HttpProblem) -> tuple[Any, int, dict[str, str]]:
    return problem.body(), problem.status, {"Content-Type": PROBLEM_JSON, **problem.headers}


def _adapt(spec: OperationSpec, method: Callable[..., Any]) -> Callable[..., Any]:
    # connexion is imported only by servers: client-only consumers never pay for it
    from connexion import request  # noqa: PLC0415
    from starlette.concurrency import run_in_threadpool  # noqa: PLC0415

    is_async = inspect.iscoroutinefunction(method)

    async def handler(**kwargs: Any) -> tuple[Any, int, dict[str, str]]:
        args: list[Any] = [kwargs.get(name) for name, _ in spec.path_params]
        if spec.body is not None:
            raw = kwargs.get("body")
            try:
                if isinstance(raw, bytes | str):  # connexion hands a schema default over raw
                    raw = json.loads(raw) if raw else None
                args.append(None if raw is None else _adapter(spec.body).validate_python(raw))
            except ValidationError as exc:
                errors = [
                    {"pointer": "/" + "/".join(str(p) for p in e["loc"]), "message": e["msg"]}
                    for e in exc.errors()
                ]
                return _problem(HttpProblem(422, "Unprocessable Content", errors=errors))
        named = {py: kwargs.get(name) for name, py in spec.query_params}
        headers = request.headers
        named |= {py: headers.get(name) for name, py in spec.header_params}
        try:
            if is_async:
                result = await method(*args, **named)
            else:
                result = await run_in_threadpool(method, *args, **named)
        except HttpProblem as problem:
            return _problem(problem)
        status, extra = spec.default_status, {}
        if isinstance(result, Reply):
            status, extra, result = result.status or status, dict(result.headers), result.body
        _kind, ctype = spec.responses.get(status, (None, "application/json"))
        response_headers = {"Content-Type": ctype} if ctype and result is not None else {}
        return _serialise(result), status, {**response_headers, **extra}

    handler.__name__ = spec.operation_id
    return handler


@dataclass(slots=True, frozen=True)
class AppOptions:
    """How :func:`build_app` serves a service; the defaults suit a service behind the gateway."""

    #: service name in access logs and problem documents
    name: str = ""
    #: validate every response against the contract (tests); violations become 500s
    validate_responses: bool = False
    #: bearer token -> claims with ``scope`` (or None: 401); default: verify with
    #: ``$ACCORD_JWT_SECRET``/``$ACCORD_JWKS_FILE`` if set, and never accept unsigned tokens
    token_info: TokenInfo = field(default_factory=token_info_from_env)
    #: when set, ``POST /_accord/provider-states`` runs them (pact verification only)
    provider_states: ProviderStates | None = None
    #: with ``provider_states``: ``POST /_accord/messages`` builds messages (message pacts)
    messages: MessageProducers | None = None
    #: ``GET /healthz``: True answers 200 ``{"status": "ok"}`` (the default), False 503
    #: ``unavailable``; a mapping is the JSON itself (503 unless its ``status`` is ``ok`` or
    #: ``degraded``: a part that still serves, but needs someone to look)
    health: Callable[[], bool | Mapping[str, Any]] | None = None
    #: one JSON line per request on the ``accord.access`` logger
    access_log: bool = True


def build_app(
    contract: str | Path,
    service: object,
    operations: Mapping[str, OperationSpec],
    options: AppOptions | None = None,
) -> Any:
    """A connexion ``AsyncApp`` serving ``service`` for the contract at ``contract``.

    Bearer tokens become claims through ``options.token_info`` and each operation's
    scopes are enforced (401/403). Raises :class:`StubError` naming every operation the
    service does not implement.
    """
    options = options or AppOptions()
    # connexion 3.3 imports starlette.testclient, which warns about httpx: not the user's concern
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    import connexion  # noqa: PLC0415  (see _adapt)
    from connexion.resolver import Resolver  # noqa: PLC0415
    from connexion.security import OAuthSecurityHandler  # noqa: PLC0415

    token_info = options.token_info

    class _OAuth(OAuthSecurityHandler):  # type: ignore[misc]
        def get_tokeninfo_func(self, security_definition: dict[str, Any]) -> TokenInfo:
            return token_info

    missing = [
        f"{spec.operation_id} (method {spec.handler})"
        for spec in operations.values()
        if not callable(getattr(service, spec.handler, None))
    ]
    if missing:
        raise StubError(f"{type(service).__name__} does not implement: {', '.join(missing)}")
    handlers = {
        op_id: _adapt(spec, getattr(service, spec.handler)) for op_id, spec in operations.items()
    }

    def resolve(operation_id: str) -> Callable[..., Any]:
        try:
            return handlers[operation_id]
        except KeyError:
            raise StubError(
                f"the contract has operation {operation_id!r}, which the generated stub does not "
                "know: run `accord generate`"
            ) from None

    path = Path(contract)
    app = connexion.AsyncApp(__name__, specification_dir=str(path.parent))
    app.add_api(
        path.name,
        resolver=Resolver(function_resolver=resolve),
        validate_responses=options.validate_responses,
        strict_validation=True,
        pythonic_params=False,
        security_map={"oauth2": _OAuth},
    )
    _extra_routes(app, options)
    routes = [(spec.method.upper(), spec.path) for spec in operations.values() if spec.method]
    documented = set(routes)
    routes += [("HEAD", p) for m, p in documented if m == "GET" and ("HEAD", p) not in documented]
    guarded = ContractGuard(HeadAsGet(app), routes, bodies=_request_content(path))
    return AccessLog(guarded, options.name or path.stem) if options.access_log else guarded


def _request_content(path: Path) -> dict[tuple[str, str], list[str]]:
    """(METHOD, path template) -> the content keys of its request body, from the contract
    as connexion reads it ($refs resolved)."""
    from connexion.spec import Specification  # noqa: PLC0415  (see _adapt)

    spec = Specification.load(path)
    out: dict[tuple[str, str], list[str]] = {}
    for template, item in (spec["paths"] or {}).items():
        for method, operation in item.items():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if isinstance(body, dict) and isinstance(body.get("content"), dict):
                out[(method.upper(), template)] = list(body["content"])
    return out


class HeadAsGet:
    """``HEAD`` runs the ``GET`` handler and drops the content, keeping its length
    (RFC 9110 9.3.2); the guard in front lets ``HEAD`` through only where ``GET`` is
    documented (and lists it in ``Allow``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        started: dict[str, Any] = {}
        length = 0

        async def without_content(message: dict[str, Any]) -> None:
            nonlocal length
            if message["type"] == "http.response.start":
                started.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            length += len(message.get("body", b""))
            if message.get("more_body", False):
                return
            headers = list(started.get("headers") or [])
            if not any(k.lower() == b"content-length" for k, _ in headers):
                headers.append((b"content-length", str(length).encode()))
            await send({**started, "headers": headers})
            await send({"type": "http.response.body", "body": b""})

        await self.app({**scope, "method": "GET"}, receive, without_content)


def _extra_routes(app: Any, options: AppOptions) -> None:
    """``/healthz`` always; ``/_accord/provider-states`` only when states are given."""
    from starlette.requests import Request  # noqa: PLC0415
    from starlette.responses import JSONResponse  # noqa: PLC0415

    async def health(request: Request) -> JSONResponse:
        found = options.health() if options.health else True
        if isinstance(found, bool):
            found = {"status": "ok" if found else "unavailable"}
        body = {"status": "ok", **found}
        return JSONResponse(body, 200 if body["status"] in ("ok", "degraded") else 503)

    app.add_url_rule("/healthz", "healthz", health, methods=["GET"])
    states = options.provider_states
    if states is None:
        return

    async def provider_state(request: Request) -> JSONResponse:
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("state"), str):
            return JSONResponse(
                {"title": "Bad Request", "status": 400, "detail": "expected {state, params}"},
                400,
                media_type=PROBLEM_JSON,
            )
        if payload.get("action", "setup") != "setup":
            return JSONResponse({}, 200)
        try:
            implied = states.setup(payload["state"], payload.get("params") or {})
        except LookupError as exc:
            return JSONResponse(
                {"title": "Unknown provider state", "status": 400, "detail": str(exc)},
                400,
                media_type=PROBLEM_JSON,
            )
        # the dependencies' states this one implies, for verify to set on their mocks
        return JSONResponse({"dependencies": implied} if implied else {}, 200)

    app.add_url_rule(
        "/_accord/provider-states", "provider_states", provider_state, methods=["POST"]
    )
    if options.messages is not None:
        _message_route(app, options.messages)


def _message_route(app: Any, producers: MessageProducers) -> None:
    """``POST /_accord/messages``: the Pact FFI's message transport."""
    import base64  # noqa: PLC0415

    from starlette.requests import Request  # noqa: PLC0415
    from starlette.responses import JSONResponse, Response  # noqa: PLC0415

    async def produce(request: Request) -> Response:
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("description"), str):
            return JSONResponse(
                {"title": "Bad Request", "status": 400, "detail": "expected {description}"},
                400,
                media_type=PROBLEM_JSON,
            )
        states = payload.get("providerStates")
        try:
            message = producers.produce(
                payload["description"], states if isinstance(states, list) else []
            )
        except LookupError as exc:
            return JSONResponse(
                {"title": "Unknown message", "status": 400, "detail": str(exc)},
                400,
                media_type=PROBLEM_JSON,
            )
        metadata = {"contentType": message.content_type, **message.metadata}
        encoded = base64.b64encode(json.dumps(metadata).encode()).decode()
        return Response(
            message.body,
            200,
            headers={"Pact-Message-Metadata": encoded},
            media_type=message.content_type,
        )

    app.add_url_rule("/_accord/messages", "messages", produce, methods=["POST"])
