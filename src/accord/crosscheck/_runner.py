"""Running the registered checks over every HTTP interaction of a pact."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from accord._errors import AccordError, Location
from accord._findings import UNUSABLE, Finding, Severity
from accord.core import Contract, HttpRequest, Operation, PactFile, PathTemplate, Place, Response
from accord.crosscheck import _checks_request, _checks_response  # noqa: F401  (registers checks)
from accord.crosscheck._exchange import CHECKS, Exchange, pact_path, spec_path
from accord.crosscheck._messages import crosscheck_messages
from accord.crosscheck._model import CrosscheckOptions, Mismatch
from accord.crosscheck._negative import explained_parts, routes_loosely
from accord.crosscheck._values import parameter_violations
from accord.workspace import Workspace

__all__ = ["UNUSABLE", "crosscheck", "crosscheck_workspace"]

#: the rule id of a finding for a pact or contract that could not be used at all


def crosscheck(
    contract: Contract, pact: PactFile, options: CrosscheckOptions | None = None
) -> list[Mismatch]:
    """Every way the HTTP interactions of ``pact`` disagree with ``contract``.

    Raises :class:`~accord.PactError` when the pact is structurally unusable.
    """
    options = options or CrosscheckOptions()
    pact.raise_for_problems()
    out: list[Mismatch] = []
    for interaction in pact.http_interactions:
        request, response = interaction.request, interaction.response
        if request is None or response is None:
            continue
        operation = route(contract, request)
        if operation is None and routes_loosely(response.status):
            # a negative test: a path parameter that does not fit, answered 404 (or 400...)
            operation = route(contract, request, check_params=False)
        if operation is None and _refused_method(contract, request, response.status):
            continue  # a negative test: a method the path lacks, answered 405
        if operation is None:
            index = int(interaction.pointer.rsplit("/", 1)[-1])
            paths = Place(contract.root, "/paths")
            hint = _why_unrouted(contract, request)
            out.append(
                Mismatch(
                    code="request.path-or-method.unknown",
                    message="Path or method not defined in the contract: "
                    f"{request.method} {request.path}{hint}",
                    pact_path=pact_path(index, ("request", "path")),
                    pact_location=pact.locate(interaction.pointer + "/request/path"),
                    spec_path=spec_path(paths),
                    spec_location=paths.locate(),
                    interaction=interaction.description,
                )
            )
            continue
        exchange = Exchange(
            contract=contract,
            pact=pact,
            interaction=interaction,
            request=request,
            response=response,
            operation=operation,
            options=options,
            documented=operation.response(response.status),
            exact=_exact(operation, response.status),
            explained=explained_parts(response.status),
        )
        seen: set[tuple[str, str, str]] = set()
        for spec in CHECKS.values():
            for found in spec.run(exchange):
                key = (found.code, found.pact_path, found.message)
                if key not in seen:
                    seen.add(key)
                    out.append(found)
    return out


def route(
    contract: Contract, request: HttpRequest, *, check_params: bool = True
) -> Operation | None:
    """The operation a request belongs to: its path matches and its path parameters fit.

    A path that only matches once a server's base path (``servers: [{url: /v1}]``) is
    taken off its front is routed too. ``check_params=False`` routes a path whose
    parameters do not fit (a negative test's).
    """
    path = request.path.split("?", 1)[0]
    method = request.method.lower()
    found = _route(contract, method, path, check_params)
    if found is None:
        for base in _base_paths(contract):
            if path.startswith(base + "/"):
                found = _route(contract, method, path[len(base) :], check_params)
                if found is not None:
                    break
    return found


def _base_paths(contract: Contract) -> list[str]:
    servers = contract.data.get("servers")
    out = []
    for server in servers if isinstance(servers, list) else ():
        url = server.get("url") if isinstance(server, dict) else None
        if isinstance(url, str) and "{" not in url:
            base = urlsplit(url).path.rstrip("/")
            if base:
                out.append(base)
    return out


def _route(contract: Contract, method: str, path: str, check_params: bool) -> Operation | None:
    candidates: list[Operation] = []
    found = contract.match(method, path)
    if found is not None:
        candidates.append(found.operation)
    others = sorted(
        (op for op in contract.operations if op.method == method),
        key=lambda op: (-PathTemplate.parse(op.path).literal_chars, op.path.count("{")),
    )
    candidates += [op for op in others if op not in candidates]
    for operation in candidates:
        params = PathTemplate.parse(operation.path).match(path)
        if params is None:
            continue
        if not check_params or _path_param_problem(contract, operation, params) is None:
            return operation
    return None


def _refused_method(contract: Contract, request: HttpRequest, status: int) -> bool:
    """A method the request's path does not have, and a status that explains it."""
    if "method" not in explained_parts(status):
        return False
    allowed = {m.lower() for m in contract.allowed_methods(request.path.split("?", 1)[0])}
    return bool(allowed) and request.method.lower() not in allowed


def _why_unrouted(contract: Contract, request: HttpRequest) -> str:
    path, method = request.path.split("?", 1)[0], request.method.lower()
    for operation in contract.operations:
        params = PathTemplate.parse(operation.path).match(path)
        if operation.method == method and params is not None:
            problem = _path_param_problem(contract, operation, params)
            if problem:
                return f" (it would match {operation.path}, but {problem})"
    allowed = contract.allowed_methods(path)
    return f" (documented methods: {', '.join(allowed)})" if allowed else ""


def _path_param_problem(
    contract: Contract, operation: Operation, params: dict[str, str]
) -> str | None:
    """Why a path parameter's value does not fit its schema; None when they all fit."""
    for name, raw in params.items():
        param = operation.parameter("path", name)
        if param is None:
            continue
        bad = parameter_violations(contract, param.schema, unquote(raw), param=param)
        if bad:
            return f"path parameter {name}={raw!r} does not fit: {bad[0].message}"
    return None


def _exact(operation: Operation, status: int) -> Response | None:
    code = str(status)
    responses = operation.responses
    return responses.get(code) or responses.get(code[0] + "XX") or responses.get(code[0] + "xx")


def crosscheck_workspace(
    workspace: Workspace, options: CrosscheckOptions | None = None
) -> list[Finding]:
    """Cross-check every pact of ``workspace`` against its provider's contract (HTTP
    interactions) and event contract (message interactions).

    Returns lint-style findings: the rule id is the swagger-mock-validator code
    and the location is in the pact, with the contract's location as related.
    A pact or contract that cannot be used becomes one ``unusable-input`` error;
    pacts whose provider is not a service of the workspace are left to lint.
    """
    findings: list[Finding] = []
    for path in workspace.pact_paths():
        try:
            pact = PactFile.from_path(path, max_bytes=workspace.options.max_bytes)
            if pact.provider not in workspace.services:
                continue
            if pact.http_interactions or not pact.message_interactions:
                contract = workspace.contract(pact.provider)
                findings += [m.to_finding() for m in crosscheck(contract, pact, options)]
            events = workspace.events(pact.provider) if pact.message_interactions else None
            if events is not None:
                findings += [m.to_finding() for m in crosscheck_messages(events, pact, options)]
        except AccordError as exc:
            location = exc.location or Location(str(path))
            findings.append(Finding(UNUSABLE, Severity.ERROR, exc.message, location))
    findings.sort(key=Finding.sort_key)
    return findings
