"""What the client and server emitters need to know about each operation, computed once."""

from __future__ import annotations

from dataclasses import dataclass

from accord.codegen._naming import snake
from accord.codegen._types import TypeMapper
from accord.core import Contract, MediaType, Operation

__all__ = ["Arg", "OperationView", "operation_views"]

_FORM = "application/x-www-form-urlencoded"
#: headers the HTTP layer owns; never a handler or client argument
_TRANSPORT_HEADERS = frozenset({"authorization", "content-type", "accept", "content-length"})


@dataclass(slots=True, frozen=True)
class Arg:
    name: str  # as the contract spells it
    python: str  # as the generated code spells it
    annotation: str
    required: bool


@dataclass(slots=True, frozen=True)
class OperationView:
    operation: Operation
    method_name: str
    path_args: tuple[Arg, ...]
    query_args: tuple[Arg, ...]
    header_args: tuple[Arg, ...]
    body: Arg | None
    body_kind: str | None  # "json" | "form" | None
    responses: tuple[tuple[int, str, str | None], ...]  # (status, annotation, content type)
    default_status: int

    @property
    def success(self) -> list[tuple[int, str]]:
        return [(s, a) for s, a, _ in self.responses if 200 <= s < 300]

    @property
    def return_annotation(self) -> str:
        kinds: list[str] = []
        for _status, annotation in self.success:
            if annotation not in kinds:
                kinds.append(annotation)
        if not kinds:
            return "None"
        if "Any" in kinds:
            return "Any"
        return " | ".join(kinds)

    def signature(self) -> str:
        """The parameters after ``self``, as the client and the Protocol both spell them."""
        parts = [f"{a.python}: {a.annotation}" for a in self.path_args]
        if self.body is not None:
            parts.append(
                f"body: {self.body.annotation}"
                if self.body.required
                else f"body: {self.body.annotation} | None = None"
            )
        keywords = sorted((*self.query_args, *self.header_args), key=lambda a: not a.required)
        if keywords:
            parts.append("*")
            for arg in keywords:
                optional = "" if arg.required else " | None = None"
                parts.append(f"{arg.python}: {arg.annotation}{optional}")
        return ", ".join(parts)


def _json_media(content: dict[str, MediaType]) -> MediaType | None:
    for name, media in content.items():
        base = name.split(";")[0].strip().lower()
        if base == "application/json" or base.endswith("+json"):
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
        self.taken = {"self", "body"}

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
    for op in contract.operations:
        name = snake(op.operation_id or f"{op.method}_{op.path}")
        while name in used_methods:
            name += "_"
        used_methods.add(name)
        arg = _ArgNamer()

        path_args, query_args, header_args = [], [], []
        for param in op.parameters:
            if param.location == "path":
                path_args.append(arg(param.name, types.plain(param.schema), True))
            elif param.location == "query":
                query_args.append(arg(param.name, types.plain(param.schema), param.required))
            elif param.location == "header" and param.name.lower() not in _TRANSPORT_HEADERS:
                header_args.append(arg(param.name, "str", param.required))
        body = body_kind = None
        if op.request_body is not None:
            media = _json_media(dict(op.request_body.content))
            if media is not None:
                body = Arg("body", "body", types.model(media.schema), op.request_body.required)
                body_kind = "json"
            elif any(m.startswith(_FORM) for m in op.request_body.content):
                body = Arg("body", "body", "dict[str, Any]", op.request_body.required)
                body_kind = "form"
        responses: list[tuple[int, str, str | None]] = []
        for code, response in op.responses.items():
            status = _status(code)
            if status is None:
                continue
            media = _json_media(dict(response.content))
            if media is not None:
                responses.append((status, types.model(media.schema), media.name))
            else:
                first = next(iter(response.content), None)
                responses.append((status, "None", first))
        responses.sort()
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
            )
        )
    return views
