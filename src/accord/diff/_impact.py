"""Consumer impact: which pact interactions a breaking change breaks.

An interaction is affected when it routes to the changed operation on the *old*
contract (what the consumer was written against) and uses the changed part: the
parameter it sends, the request field it sends, the response status it expects,
the response header or body field it reads. Changes that break the clients which
do *not* send something (a new required parameter or property) affect the
interactions that leave it out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from accord.core import Contract, Interaction, PactFile
from accord.diff._model import Change, Consumer, Level, Target

__all__ = ["attach_consumers", "find_in_body"]


def attach_consumers(changes: Sequence[Change], old: Contract, pacts: Sequence[PactFile]) -> None:
    """Fill ``consumers`` of every breaking change from the interactions of ``pacts``."""
    routed: dict[str, list[tuple[PactFile, Interaction]]] = {}
    for pact in pacts:
        for interaction in pact.http_interactions:
            request = interaction.request
            assert request is not None
            found = old.match(request.method, request.path.split("?", 1)[0])
            if found is not None:
                routed.setdefault(found.operation.key, []).append((pact, interaction))
    for change in changes:
        if change.level is not Level.BREAKING or not change.operation:
            continue
        for pact, interaction in routed.get(change.operation, []):
            pointer = _uses(change.target, interaction, old, change.operation)
            if pointer is not None:
                change.consumers.append(
                    Consumer(
                        consumer=pact.consumer,
                        provider=pact.provider,
                        interaction=interaction.description,
                        pact_file=pact.source.display,
                        pointer=interaction.pointer + pointer,
                    )
                )


def _uses(target: Target, interaction: Interaction, old: Contract, operation: str) -> str | None:
    """The pointer (relative to the interaction) of the part it uses, or None."""
    request, response = interaction.request, interaction.response
    assert request is not None
    if target.part in ("operation", "contract"):
        return "/request/path"
    if target.part == "parameter":
        return _parameter(target, request.query, request.headers)
    if target.part == "request-body":
        body = request.body
        if not target.json_path:
            if target.absent:
                return None if body.present else "/request"
            return "/request/body" if body.present else None
        return _body_path(target, body.content, interaction, "request")
    if response is None or not _same_response(target.status, response.status, old, operation):
        return None
    if target.part == "response-status":
        return "/response/status"
    if target.part == "response-header":
        return (
            f"/response/headers/{target.name}" if target.name.lower() in response.headers else None
        )
    if target.part == "response-body":
        if not target.json_path:
            return "/response/body" if response.body.present else None
        return _body_path(target, response.body.content, interaction, "response")
    return None


def _parameter(target: Target, query: Any, headers: Any) -> str | None:
    if target.location == "path":
        return None if target.absent else "/request/path"
    if target.location == "query":
        sent = target.name in query
        where = f"/request/query/{target.name}"
    elif target.location == "header":
        sent = target.name.lower() in headers
        where = f"/request/headers/{target.name}"
    elif target.location == "cookie":
        cookies = ";".join(headers.get("cookie", ()))
        sent = any(c.strip().split("=", 1)[0] == target.name for c in cookies.split(";"))
        where = "/request/headers/Cookie"
    else:
        return None
    if target.absent:
        return None if sent else where.rsplit("/", 1)[0]
    return where if sent else None


def _same_response(status: str, actual: int, old: Contract, operation: str) -> bool:
    method, _, path = operation.partition(" ")
    op = old.operation(method, path)
    documented = op.response(actual) if op is not None else None
    return documented is not None and documented.status == status


def _body_path(target: Target, content: Any, interaction: Interaction, side: str) -> str | None:
    path = list(target.json_path)
    if target.absent:  # breaks bodies that have the parent object but not the field
        parents = list(find_in_body(content, path[:-1]))
        missing = [p for p, value in parents if isinstance(value, dict) and path[-1] not in value]
        found = missing[0] if missing else None
    else:
        found = next((p for p, _ in find_in_body(content, path)), None)
    if found is None:
        return None
    raw = interaction.raw.get(side)
    body = raw.get("body") if isinstance(raw, dict) else None
    envelope = (
        "/content"
        if isinstance(body, dict)
        and "content" in body
        and ("encoded" in body or "contentType" in body)
        else ""
    )
    return f"/{side}/body{envelope}{found}"


def find_in_body(content: Any, path: Sequence[str]) -> Iterator[tuple[str, Any]]:
    """Every ``(pointer, value)`` in ``content`` at the data path ``path``.

    ``[]`` stands for any item of an array, ``*`` for any value of an object.
    """
    if not path:
        yield "", content
        return
    head, rest = path[0], path[1:]
    if head == "[]":
        if isinstance(content, list):
            for i, item in enumerate(content):
                for pointer, value in find_in_body(item, rest):
                    yield f"/{i}{pointer}", value
    elif head == "*":
        if isinstance(content, dict):
            for key, item in content.items():
                for pointer, value in find_in_body(item, rest):
                    yield f"/{_escape(key)}{pointer}", value
    elif isinstance(content, dict) and head in content:
        for pointer, value in find_in_body(content[head], rest):
            yield f"/{_escape(head)}{pointer}", value


def _escape(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")
