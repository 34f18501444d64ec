"""What the client and server emitters need to know about each operation, computed once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from accord._media import media_kind
from accord.codegen._naming import snake
from accord.codegen._security import scheme_views
from accord.codegen._types import TypeMapper
from accord.core import Contract, MediaType, Operation

__all__ = ["Arg", "OperationView", "operation_views"]

_SERVER_BODIES = ("json", "form")  # what the connexion stub hands its handlers
#: headers the HTTP layer owns; never a handler or client argument
_TRANSPORT_HEADERS = frozenset({"authorization", "content-type", "accept", "content-length"})
#: a parameter's (style, explode) when the contract gives none (the runtime assumes the same)
_DEFAULT_STYLES = {"query": ("form", True), "cookie": ("form", True)}


@dataclass(slots=True, frozen=True)
class Arg:
    name: str  # as the contract spells it
    python: str  # as the generated code spells it
    annotation: str
    required: bool
    #: the server stub's annotation where it differs (headers reach handlers as text)
    server_annotation: str = ""


@dataclass(slots=True, frozen=True)
class OperationView:
    operation: Operation
    method_name: str
    path_args: tuple[Arg, ...]
    query_args: tuple[Arg, ...]
    header_args: tuple[Arg, ...]
    body: Arg | None
    body_kind: str | None  # "json" | "form" | "multipart" | "text" | "binary" | None
    responses: tuple[tuple[int, str, str | None], ...]  # (status, annotation, content type)
    default_status: int
    cookie_args: tuple[Arg, ...] = ()
    body_media: str | None = None  # the request body's content type
    #: what the client returns per status: (status, annotation, ``Expect`` value as code)
    client_responses: tuple[tuple[int, str, str], ...] = ()
    accept: str | None = None  # the media types the client asks for
    security: tuple[tuple[str, ...], ...] = ()  # requirement alternatives; () needs none
    #: parameters whose (style, explode) is not their location's default:
    #: (location, name, style, explode)
    styles: tuple[tuple[str, str, str, bool], ...] = ()

    @property
    def query_styles(self) -> tuple[tuple[str, str, bool], ...]:
        """The query parameters' styles: (name, style, explode)."""
        return tuple((n, s, e) for where, n, s, e in self.styles if where == "query")

    @property
    def server_body(self) -> Arg | None:
        """The body the server stub's handler receives (JSON and form bodies only)."""
        return self.body if self.body_kind in _SERVER_BODIES else None

    @property
    def success(self) -> list[tuple[int, str]]:
        return [(s, a) for s, a, _ in self.responses if 200 <= s < 300]

    @property
    def return_annotation(self) -> str:
        """What the server stub's handler returns (JSON bodies only)."""
        return _union(a for _, a in self.success)

    @property
    def client_return(self) -> str:
        """What the client method returns: models, ``str`` for text, ``bytes`` for binary.

        A documented redirect (3xx, not followed) returns None.
        """
        kinds = [a for s, a, _ in self.client_responses if 200 <= s < 300]
        if any(300 <= s < 400 for s, _, _ in self.client_responses):
            kinds.append("None")
        return _union(kinds)

    def parameters(self, *, client: bool = False) -> list[str]:
        """The parameters after ``self``, as the client and the Protocol spell them."""

        def spelled(arg: Arg) -> str:
            return arg.annotation if client else arg.server_annotation or arg.annotation

        parts = [f"{a.python}: {spelled(a)}" for a in self.path_args]
        body = self.body if client else self.server_body
        if body is not None:
            parts.append(
                f"body: {body.annotation}"
                if body.required
                else f"body: {body.annotation} | None = None"
            )
        extra = self.cookie_args if client else ()
        keywords = sorted(
            (*self.query_args, *self.header_args, *extra), key=lambda a: not a.required
        )
        if keywords:
            parts.append("*")
            for arg in keywords:
                optional = "" if arg.required else " | None = None"
                parts.append(f"{arg.python}: {spelled(arg)}{optional}")
        return parts


def _union(annotations: Iterable[str]) -> str:
    kinds: list[str] = []
    for annotation in annotations:
        if annotation not in kinds:
            kinds.append(annotation)
    if not kinds:
        return "None"
    if "Any" in kinds:
        return "Any"
    return " | ".join(kinds)


_PREFERENCE = ("json", "form", "multipart", "text", "binary")


def _pick(content: Mapping[str, MediaType]) -> tuple[str, MediaType] | None:
    """The media type a client uses among those documented (JSON first)."""
    ranked = sorted(content.items(), key=lambda kv: _PREFERENCE.index(media_kind(kv[0])))
    if not ranked:
        return None
    return media_kind(ranked[0][0]), ranked[0][1]


def _json_media(content: dict[str, MediaType]) -> MediaType | None:
    for name, media in content.items():
        if media_kind(name) == "json":
            return media
    return None


def _status(code: str) -> int | None:
    if code.isdigit():
        return int(code)
    if len(code) == 3 and code[0].isdigit() and code[1:].upper() == "XX":
        return int(code[0]) * 100
    return None


class _ArgNamer:
    """Gives each argument of one method a distinct Python name."""

    def __init__(self) -> None:
        # module-level names a method body uses may not be shadowed by an argument
        self.taken = {"self", "body", "models", "cast", "httpx"}

    def __call__(self, name: str, annotation: str, required: bool) -> Arg:
        python = snake(name)
        while python in self.taken:
            python += "_"
        self.taken.add(python)
        return Arg(name, python, annotation, required)


def operation_views(contract: Contract, types: TypeMapper) -> list[OperationView]:
    """One view per operation, with unique Python names within each method."""
    views: list[OperationView] = []
    used_methods: set[str] = set()
    schemes = scheme_views(contract.security_schemes)
    for op in contract.operations:
        name = snake(op.operation_id or f"{op.method}_{op.path}")
        while name in used_methods:
            name += "_"
        used_methods.add(name)
        arg = _ArgNamer()

        path_args, query_args, header_args, cookie_args = [], [], [], []
        styles: list[tuple[str, str, str, bool]] = []
        for param in op.parameters:
            if param.location == "path":
                path_args.append(arg(param.name, types.plain(param.schema), True))
            elif param.location == "query":
                query_args.append(arg(param.name, types.plain(param.schema), param.required))
            elif param.location == "header" and param.name.lower() not in _TRANSPORT_HEADERS:
                typed = arg(param.name, types.plain(param.schema), param.required)
                header_args.append(dataclasses.replace(typed, server_annotation="str"))
            elif param.location == "cookie":
                cookie_args.append(arg(param.name, types.plain(param.schema), param.required))
            else:
                continue
            default = _DEFAULT_STYLES.get(param.location, ("simple", False))
            if (param.style or default[0], param.explode) != default:
                styles.append(
                    (param.location, param.name, param.style or default[0], param.explode)
                )
        body = body_kind = body_media = None
        if op.request_body is not None and (chosen := _pick(op.request_body.content)):
            body_kind, media = chosen
            body_media = media.name
            annotation = _body_type(types, body_kind, media)
            body = Arg("body", "body", annotation, op.request_body.required)
        responses, client_responses, accept = _responses(op, types)
        success = [s for s, _, _ in responses if 200 <= s < 300]
        views.append(
            OperationView(
                operation=op,
                method_name=name,
                path_args=tuple(path_args),
                query_args=tuple(query_args),
                header_args=tuple(header_args),
                body=body,
                body_kind=body_kind,
                responses=tuple(responses),
                default_status=success[0] if success else 200,
                cookie_args=tuple(cookie_args),
                body_media=body_media,
                client_responses=tuple(client_responses),
                accept=accept,
                security=_security(op, schemes),
                styles=tuple(styles),
            )
        )
    return views


def _responses(
    op: Operation, types: TypeMapper
) -> tuple[list[tuple[int, str, str | None]], list[tuple[int, str, str]], str | None]:
    """The server's (JSON-only) and the client's view of each status, and ``Accept``."""
    responses: list[tuple[int, str, str | None]] = []
    client: list[tuple[int, str, str]] = []
    accept: list[str] = []
    for code, response in op.responses.items():
        status = _status(code)
        if status is None:
            continue
        media = _json_media(dict(response.content))
        if media is not None:
            responses.append((status, types.model(media.schema), media.name))
        else:
            responses.append((status, "None", next(iter(response.content), None)))
        picked = _pick(response.content)
        if picked is None:
            client.append((status, "None", "None"))
            continue
        kind, media = picked
        if kind == "json":
            annotation = types.model(media.schema)
            client.append((status, annotation, annotation))
        elif kind in {"text", "form"}:
            client.append((status, "str", "TEXT"))
        else:
            client.append((status, "bytes", "BYTES"))
        if 200 <= status < 300 and media.name not in accept:
            accept.append(media.name)
    return sorted(responses), sorted(client), ", ".join(accept) or None


def _body_type(types: TypeMapper, kind: str, media: MediaType) -> str:
    if kind == "json":
        return types.model(media.schema)
    if kind == "form":
        return "dict[str, Any]"
    if kind == "multipart":
        annotation = types.model(media.schema)
        return annotation if annotation.startswith("models.") else "Mapping[str, FormField]"
    if kind == "text":
        return "str"
    return "bytes | IO[bytes] | Iterable[bytes]"


def _security(op: Operation, schemes: Mapping[str, object]) -> tuple[tuple[str, ...], ...]:
    """The operation's requirement alternatives, naming only schemes the contract defines."""
    return tuple(tuple(n for n in requirement if n in schemes) for requirement in op.security)
