"""The indexed view of a contract: operations, parameters, bodies, responses, examples.

Every object knows its :class:`Place` (the file and JSON pointer it was read
from, after following ``$ref``) so any feature can report ``file:line:col``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from accord._errors import Location
from accord.core._source import SourceFile

__all__ = [
    "Example",
    "Header",
    "MediaType",
    "Operation",
    "Parameter",
    "Place",
    "RequestBody",
    "Response",
    "SchemaRef",
]

_FRAGMENT_SAFE = "/~!$&'()*+,;=:@-._"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(slots=True, frozen=True)
class Place:
    """A node of the contract: the file it lives in and its JSON pointer there."""

    file: SourceFile
    pointer: str

    def child(self, *parts: str | int) -> Place:
        suffix = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
        return Place(self.file, self.pointer + suffix)

    def locate(self) -> Location:
        return self.file.locate(self.pointer)

    @property
    def uri(self) -> str:
        return f"{self.file.uri}#{quote(self.pointer, safe=_FRAGMENT_SAFE)}"


@dataclass(slots=True, frozen=True)
class SchemaRef:
    """A Schema Object of the contract, by place; compile it with ``Contract.validator``."""

    place: Place
    value: Any  # the schema as written (may itself be a {"$ref": ...})


@dataclass(slots=True, frozen=True)
class Example:
    """One example value (``example`` or an entry of ``examples``)."""

    name: str  # "" for a lone `example`
    value: Any
    place: Place  # where the value itself is
    external: str | None = None  # externalValue, not loaded


@dataclass(slots=True, frozen=True)
class MediaType:
    """One entry of a ``content`` map."""

    name: str
    schema: SchemaRef | None
    examples: tuple[Example, ...]
    place: Place


@dataclass(slots=True, frozen=True)
class Parameter:
    """A parameter after merging path-item and operation levels."""

    name: str
    location: str  # path | query | header | cookie
    required: bool
    schema: SchemaRef | None
    place: Place
    style: str = ""
    explode: bool = False
    examples: tuple[Example, ...] = ()
    content: tuple[MediaType, ...] = ()
    deprecated: bool = False

    @property
    def key(self) -> tuple[str, str]:
        name = self.name.lower() if self.location == "header" else self.name
        return self.location, name


@dataclass(slots=True, frozen=True)
class Header:
    """A response header."""

    name: str
    required: bool
    schema: SchemaRef | None
    place: Place


@dataclass(slots=True, frozen=True)
class RequestBody:
    required: bool
    content: Mapping[str, MediaType]
    place: Place


@dataclass(slots=True, frozen=True)
class Response:
    """A documented response: ``status`` is "200", "4XX" or "default"."""

    status: str
    description: str
    content: Mapping[str, MediaType]
    headers: Mapping[str, Header]
    links: Mapping[str, Any]
    place: Place


@dataclass(slots=True, frozen=True)
class Operation:
    """One method on one path template."""

    method: str  # lower case
    path: str  # the template, e.g. /orders/{orderId}
    operation_id: str | None
    summary: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: Mapping[str, Response]
    #: effective security requirements (operation-level or global); [] means anonymous
    security: tuple[Mapping[str, tuple[str, ...]], ...]
    deprecated: bool
    place: Place
    extensions: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def name(self) -> str:
        """The operationId, or ``METHOD /path`` when there is none."""
        return self.operation_id or self.key

    def parameter(self, location: str, name: str) -> Parameter | None:
        if location == "header":
            name = name.lower()
        for param in self.parameters:
            if param.key == (location, name):
                return param
        return None

    def response(self, status: int | str) -> Response | None:
        """The response documented for ``status``: exact code, then ``4XX``, then ``default``."""
        code = str(status)
        return (
            self.responses.get(code)
            or self.responses.get(code[:1] + "XX")
            or self.responses.get(code[:1] + "xx")
            or self.responses.get("default")
        )
