"""The runtime of generated clients: one request path for sync and async, auth, bodies, errors.

This module imports only the standard library, httpx and pydantic, because
``accord generate`` copies its text next to the clients it writes (``runtime.py``):
a generated client runs in an environment with httpx and pydantic and nothing else.
All clients generated into one tree share that one copy, so one ``ApiError`` class
catches the errors of all of them.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import IO, Any, ClassVar, Self
from urllib.parse import quote, urlencode

import httpx
from pydantic import BaseModel, TypeAdapter

__all__ = [
    "BYTES",
    "TEXT",
    "ApiError",
    "AsyncClientBase",
    "ClientBase",
    "Expect",
    "FileField",
    "FormField",
    "Scheme",
    "Security",
    "Styles",
]


@dataclass(slots=True, frozen=True)
class _Raw:
    """A response body taken as it comes: ``"text"`` (``str``) or ``"bytes"``."""

    kind: str


#: a documented answer returned as text (``text/*``, XML) or as bytes (anything else)
TEXT = _Raw("text")
BYTES = _Raw("bytes")

#: status code -> the type its JSON body parses into, ``TEXT``, ``BYTES`` or None (no body)
Expect = Mapping[int, Any]
#: a file of a multipart body: its content, or ``(filename, content, content type)``
FileField = bytes | IO[bytes] | tuple[str, bytes | IO[bytes], str]
#: one field of a multipart/form-data body
FormField = str | int | float | bool | FileField | list[str] | list[FileField]
#: the security requirement alternatives of one operation, each a tuple of scheme names
Security = tuple[tuple[str, ...], ...]


@dataclass(slots=True, frozen=True)
class Scheme:
    """How a security scheme's credential travels.

    ``kind`` is ``"bearer"`` (HTTP bearer, OAuth2, OpenID Connect: ``Authorization:
    Bearer <token>``), ``"basic"`` (a ``(user, password)`` pair), ``"http"`` (another
    HTTP scheme: ``Authorization: <name> <credential>``), or ``"header"``, ``"query"``,
    ``"cookie"`` (an API key sent under ``name``).
    """

    kind: str
    name: str = ""


class ApiError(Exception):
    """A response the contract documents as an error (4xx/5xx), or one it does not document.

    ``problem`` is the parsed ``application/problem+json`` body when there is one.
    """

    def __init__(self, response: httpx.Response, operation: str) -> None:
        self.response = response
        self.status = response.status_code
        self.operation = operation
        self.problem: dict[str, Any] | None = None
        if _is_json(response.headers.get("content-type", "")):
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                self.problem = body
        title = (self.problem or {}).get("title") or response.reason_phrase
        detail = (self.problem or {}).get("detail")
        message = f"{operation}: HTTP {self.status} {title}"
        super().__init__(f"{message}: {detail}" if detail else message)


def _is_json(content_type: str) -> bool:
    """Whether a ``Content-Type`` names JSON: a subtype ``json`` (``application/json``,
    ``text/json``) or one with the ``+json`` suffix (RFC 6839: ``application/problem+json``),
    whatever the case and parameters. ``application/jsonlines`` and ``x-json-stream`` are
    other syntaxes. (The servers read media types with ``accord._media``, which a
    standalone client cannot import; this is its answer for one type.)"""
    kind, slash, subtype = content_type.partition(";")[0].lower().partition("/")
    return bool(slash and kind.strip()) and subtype.strip().rpartition("+")[2] == "json"


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def dump(value: Any) -> Any:
    """A request body as JSON-ready data: models without the fields the caller never set."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, list):
        return [dump(v) for v in value]
    return value


_PARAM = re.compile(r"\{([^{}]+)\}")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return value


def _same(text: str) -> str:
    return text


def _escape(text: str) -> str:
    return quote(text, safe="")


def _segment(text: str) -> str:
    """A path parameter's text; ``.`` and ``..`` (an empty label) percent-encoded, as a URL
    would otherwise lose them as dot segments (RFC 3986 §5.2.4)."""
    return text.replace(".", "%2E") if text in (".", "..") else text


#: RFC 6570 expansion per OpenAPI style: (prefix, exploded separator, named)
_OPERATORS = {
    "simple": ("", ",", False),
    "label": (".", ".", False),
    "matrix": (";", ";", True),
    "form": ("", "; ", True),  # a cookie: exploded items are cookies of their own
    "cookie": ("", "; ", True),
}


def _styled(
    name: str,
    value: Any,
    style: str = "simple",
    explode: bool = False,
    escape: Callable[[str], str] = _same,
) -> str:
    """A path, header or cookie parameter as its OpenAPI style writes it (RFC 6570).

    ``simple`` joins an array's items with commas (``blue,black``) and an object's keys
    and values (``R,100,G,200``, exploded ``R=100,G=200``); ``label`` prefixes ``.``
    (exploded items separated by ``.``), ``matrix`` writes ``;name=...`` (exploded
    ``;name=a;name=b``, ``;R=100;G=200``), and ``form`` or ``cookie`` (cookies) write
    ``name=...`` (exploded ``name=a; name=b``, ``R=100; G=200``). ``escape`` encodes
    each name and value, never the delimiters.
    """
    value = _plain(value)
    first, separator, named = _OPERATORS.get(style, _OPERATORS["simple"])
    key = escape(name)
    if isinstance(value, dict):
        items = [(escape(str(k)), escape(_text(v))) for k, v in value.items() if v is not None]
        if explode:
            return first + separator.join(f"{k}={v}" for k, v in items)
        text = ",".join(part for item in items for part in item)
    elif isinstance(value, list | tuple):
        parts = [escape(_text(v)) for v in value]
        if explode:
            return first + separator.join(f"{key}={p}" if named else p for p in parts)
        text = ",".join(parts)
    else:
        text = escape(_text(value))
    if not named:
        return first + text
    if style == "matrix" and not text:
        return f";{key}"
    return f"{first}{key}={text}"


def _clean(values: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: value for key, value in (values or {}).items() if value is not None}


#: a parameter's ``(style, explode)`` by name, where it differs from its location's default:
#: ``("form", True)`` in the query and cookies, ``("simple", False)`` in the path and headers
Styles = Mapping[str, tuple[str, bool]]
_DEFAULT_STYLES = {"query": ("form", True), "cookie": ("form", True)}
_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def _pairs(
    name: str,
    value: Any,
    style: str = "form",
    explode: bool = True,
    escape: Callable[[str], str] = _same,
) -> list[tuple[str, str]]:
    """``name=value`` pairs for a query parameter or form field, as its style says.

    Arrays repeat the name (exploded) or join with the style's delimiter; objects
    become ``name[key]=...`` (``deepObject``, nested as deep as they go), one pair per
    property (exploded form) or ``name=key,value,...``. ``escape`` encodes each value
    (names are left to the caller), and the delimiter unless it is a comma.
    """
    value = _plain(value)
    if value is None:
        return []
    delimiter = _DELIMITERS.get(style, ",")
    joiner = delimiter if delimiter == "," else escape(delimiter)
    if isinstance(value, dict):
        if style == "deepObject":
            return [
                p for k, v in value.items() for p in _pairs(f"{name}[{k}]", v, style, True, escape)
            ]
        if explode:
            return [(str(k), escape(_text(v))) for k, v in value.items() if v is not None]
        flat = [escape(x) for k, v in value.items() if v is not None for x in (str(k), _text(v))]
        return [(name, joiner.join(flat))]
    if isinstance(value, list | tuple):
        if style == "deepObject":
            return [
                p
                for i, v in enumerate(value)
                for p in _pairs(f"{name}[{i}]", v, style, True, escape)
            ]
        if explode:
            return [p for v in value for p in _pairs(name, v, style, explode, escape)]
        return [(name, joiner.join(escape(_text(v)) for v in value))]
    return [(name, escape(_text(value)))]


def _encoded(
    values: Mapping[str, Any] | None, styles: Styles | None, escape: Callable[[str], str] = _same
) -> list[tuple[str, str]]:
    styles = styles or {}
    return [
        pair
        for key, value in (values or {}).items()
        for pair in _pairs(key, dump(value), *styles.get(key, ("form", True)), escape)
    ]


def _query_string(pairs: list[tuple[str, str]]) -> str:
    """Pairs whose values are percent-encoded already (RFC 3986: a space is ``%20``, and a
    comma between items stays a comma), as a query string."""
    return "&".join(f"{quote(name, safe='')}={value}" for name, value in pairs)


def _form_fields(body: Any) -> list[tuple[str, str]]:
    """A form body's fields: nested objects as ``a[b]=c``, arrays as repeated names."""
    data = dump(body)
    if not isinstance(data, dict):
        return []
    return [
        pair
        for key, value in data.items()
        for pair in _pairs(key, value, "deepObject" if _nested(value) else "form")
    ]


def _nested(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and any(isinstance(v, dict | list) for v in value)


def _is_file(value: Any) -> bool:
    return isinstance(value, bytes | bytearray | tuple) or hasattr(value, "read")


def _multipart(body: Any) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """Split a multipart body into plain fields and files (bytes, file objects, tuples)."""
    if isinstance(body, BaseModel):
        fields = {k: v for k, v in body if k in body.model_fields_set}
        aliases = {k: f.alias or k for k, f in type(body).model_fields.items()}
        body = {aliases[k]: v for k, v in fields.items()}
    data: dict[str, Any] = {}
    files: list[tuple[str, Any]] = []
    for key, value in (body or {}).items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if item is None:
                continue
            if _is_file(item):
                files.append((key, item))
            else:
                text = item.model_dump_json() if isinstance(item, BaseModel) else _text(item)
                data.setdefault(key, []).append(text)
    return {k: v[0] if len(v) == 1 else v for k, v in data.items()}, files


class _Base:
    #: the contract's security schemes by name (filled in by each generated client)
    SCHEMES: ClassVar[Mapping[str, Scheme]] = {}

    def __init__(
        self,
        base_url: str = "",
        *,
        token: str | None = None,
        credentials: Mapping[str, str | tuple[str, str] | None] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.credentials = {k: v for k, v in (credentials or {}).items() if v is not None}
        self.headers = dict(headers or {})
        self.timeout = timeout

    def _credential(self, name: str) -> str | tuple[str, str] | None:
        found = self.credentials.get(name)
        if found is None and self.SCHEMES.get(name, Scheme("")).kind == "bearer":
            return self.token  # `token=` stands for every token-carrying scheme not named
        return found

    def _authorize(self, security: Security | None, request: dict[str, Any]) -> None:
        for alternative in security or ():
            if all(self._credential(name) is not None for name in alternative):
                for name in alternative:
                    self._apply(self.SCHEMES[name], self._credential(name), request)
                return

    @staticmethod
    def _apply(scheme: Scheme, value: Any, request: dict[str, Any]) -> None:
        headers = request["headers"]
        if scheme.kind == "basic":
            user, password = value
            pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            headers.setdefault("Authorization", f"Basic {pair}")
        elif scheme.kind == "bearer":
            headers.setdefault("Authorization", f"Bearer {value}")
        elif scheme.kind == "http":
            headers.setdefault("Authorization", f"{scheme.name} {value}")
        elif scheme.kind == "header":
            headers.setdefault(scheme.name, value)
        elif scheme.kind == "query":
            if all(key != scheme.name for key, _ in request["params"]):
                request["params"].append((scheme.name, _escape(value)))
        elif scheme.kind == "cookie":
            cookie = f"{scheme.name}={value}"
            old = headers.get("Cookie")
            headers["Cookie"] = f"{old}; {cookie}" if old else cookie

    def _build(
        self,
        method: str,
        path: str,
        path_params: Mapping[str, Any],
        query: Mapping[str, Any] | None,
        headers: Mapping[str, Any] | None,
        cookies: Mapping[str, Any] | None,
        body: Any,
        body_kind: str | None,
        content_type: str | None,
        accept: str | None,
        security: Security | None,
        styles: Mapping[str, Styles] | None = None,
    ) -> dict[str, Any]:
        styles = styles or {}

        def styled(location: str, name: str, value: Any, escape: Callable[[str], str]) -> str:
            default = _DEFAULT_STYLES.get(location, ("simple", False))
            style, explode = styles.get(location, {}).get(name, default)
            return _styled(name, value, style, explode, escape)

        url = _PARAM.sub(
            lambda m: _segment(styled("path", m.group(1), path_params[m.group(1)], _escape)), path
        )
        sent = {k: styled("header", k, v, _same) for k, v in _clean(headers).items()}
        all_headers = {**self.headers, **sent}
        if accept and "accept" not in {h.lower() for h in all_headers}:
            all_headers["Accept"] = accept
        jar = _clean(cookies)
        if jar:
            all_headers["Cookie"] = "; ".join(styled("cookie", k, v, _same) for k, v in jar.items())
        request: dict[str, Any] = {
            "method": method,
            "url": self.base_url + url,
            "params": _encoded(query, styles.get("query"), _escape),
            "headers": all_headers,
        }
        self._authorize(security, request)
        if params := request.pop("params"):
            request["url"] += ("&" if "?" in request["url"] else "?") + _query_string(params)
        if body is None:
            return request
        if body_kind == "json":
            request["json"] = dump(body)
        elif body_kind == "form":
            request["content"] = urlencode(_form_fields(body)).encode("ascii")
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif body_kind == "multipart":
            data, files = _multipart(body)
            if files:
                request["data"], request["files"] = data, files
            else:  # httpx would send plain fields form-encoded: encode them here
                request["content"] = _fields_only(data, all_headers)
        elif body_kind == "text":
            request["content"] = body.encode() if isinstance(body, str) else body
            all_headers.setdefault("Content-Type", content_type or "text/plain")
        else:  # binary: bytes, a file object or an iterator of bytes, streamed as given
            request["content"] = body
            all_headers.setdefault("Content-Type", content_type or "application/octet-stream")
        return request

    @staticmethod
    def _parse(response: httpx.Response, expect: Expect, operation: str) -> Any:
        status = response.status_code
        if status not in expect:
            raise ApiError(response, operation)
        kind = expect[status]
        if kind is TEXT:
            return response.text
        if kind is BYTES:
            return response.content
        if kind is None or not response.content:
            return None
        return _adapter(kind).validate_python(response.json())


def _fields_only(data: Mapping[str, Any], headers: dict[str, str]) -> bytes:
    """A multipart/form-data body of plain fields only; sets its Content-Type."""
    boundary = "accord-form-boundary-7d1f0c2b9e"
    parts: list[bytes] = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                f"{item}\r\n".encode()
            )
    parts.append(f"--{boundary}--\r\n".encode())
    headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    return b"".join(parts)


def _reset_while_connecting(exc: AttributeError) -> bool:
    """anyio (4.16 and before) fails with ``AttributeError`` on ``None.getpeername`` when
    the peer resets a new connection before httpcore has asked for its TLS details. The
    request was never sent, so it is a connect error, not a bug of the caller's: true only
    when the failure is inside anyio, called by httpcore while it sets a connection up."""
    files = []
    tb = exc.__traceback__
    while tb is not None:
        files.append(tb.tb_frame.f_code.co_filename.replace("\\", "/"))
        tb = tb.tb_next
    outside = [f for f in files if "/anyio/" not in f and "/httpcore/_backends/" not in f]
    return (
        bool(files)
        and "/anyio/" in files[-1]
        and bool(outside)
        and outside[-1].endswith("/httpcore/_async/connection.py")
    )


class ClientBase(_Base):
    """Base of generated sync clients; pass ``client=`` to inject an ``httpx.Client``."""

    def __init__(
        self,
        base_url: str = "",
        *,
        client: httpx.Client | None = None,
        token: str | None = None,
        credentials: Mapping[str, str | tuple[str, str] | None] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout = 10.0,
    ) -> None:
        super().__init__(
            base_url, token=token, credentials=credentials, headers=headers, timeout=timeout
        )
        self._owned = client is None
        self.client = client or httpx.Client(timeout=timeout)

    def close(self) -> None:
        if self._owned:
            self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        expect: Expect,
        *,
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        body: Any = None,
        body_kind: str | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        security: Security | None = None,
        styles: Mapping[str, Styles] | None = None,
    ) -> Any:
        request = self._build(
            method, path, path_params or {}, query, headers, cookies,
            body, body_kind, content_type, accept, security, styles,
        )  # fmt: skip
        response = self.client.request(**request)
        return self._parse(response, expect, operation)


class AsyncClientBase(_Base):
    """Base of generated async clients; pass ``client=`` to inject an ``httpx.AsyncClient``."""

    def __init__(
        self,
        base_url: str = "",
        *,
        client: httpx.AsyncClient | None = None,
        token: str | None = None,
        credentials: Mapping[str, str | tuple[str, str] | None] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout = 10.0,
    ) -> None:
        super().__init__(
            base_url, token=token, credentials=credentials, headers=headers, timeout=timeout
        )
        self._owned = client is None
        self.client = client or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        if self._owned:
            await self.client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        expect: Expect,
        *,
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Mapping[str, Any] | None = None,
        body: Any = None,
        body_kind: str | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        security: Security | None = None,
        styles: Mapping[str, Styles] | None = None,
    ) -> Any:
        request = self._build(
            method, path, path_params or {}, query, headers, cookies,
            body, body_kind, content_type, accept, security, styles,
        )  # fmt: skip
        try:
            response = await self.client.request(**request)
        except AttributeError as exc:
            if not _reset_while_connecting(exc):
                raise
            raise httpx.ConnectError(
                "the connection was reset while it was being set up; the request was not sent"
            ) from exc
        return self._parse(response, expect, operation)
