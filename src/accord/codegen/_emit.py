"""``client.py`` and ``server.py`` source text, from operation views.

The text comes out formatted: long statements are described as :mod:`_layout` trees
and laid out as black would (stable style, 100 columns), so no formatter runs
afterwards (black stays the oracle in the tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from accord.codegen._layout import (
    LINE_LENGTH,
    Expr,
    Pair,
    Seq,
    annotation,
    docstring,
    import_from,
    joined,
    lines,
    parameter,
    quote,
)
from accord.codegen._operations import OperationView
from accord.codegen._security import SchemeView

__all__ = ["emit_client", "emit_server"]


def _doc(view: OperationView) -> str:
    op = view.operation
    summary = _escape(op.summary or op.name).strip()
    return docstring(f"{summary} (``{op.method.upper()} {op.path}``).", 8)


def _dict(pairs: Iterable[tuple[str, Expr]]) -> Seq:
    return Seq("", tuple(Pair(f"{k}: ", v) for k, v in pairs), "{", literal=True)


def _tuple(items: tuple[Expr, ...]) -> Seq:
    return Seq("", items, literal=True, one_tuple=len(items) == 1)


def _call(view: OperationView, head: str) -> Seq:
    op = view.operation
    expect = [
        (str(status), annotation(code) if status < 300 else "None")
        for status, _, code in view.client_responses
        if 200 <= status < 400
    ]
    items: list[Expr] = [quote(op.name), quote(op.method.upper()), quote(op.path), _dict(expect)]
    for keyword, args in (
        ("path_params", view.path_args),
        ("query", view.query_args),
        ("headers", view.header_args),
        ("cookies", view.cookie_args),
    ):
        if args:
            items.append(Pair(f"{keyword}=", _dict([(quote(a.name), a.python) for a in args])))
    if view.body is not None:
        items += ["body=body", f"body_kind={_or_none(view.body_kind)}"]
        media = view.body_media
        if view.body_kind in ("text", "binary") and media and "*" not in media:
            items.append(f"content_type={quote(media)}")
    if view.accept:
        items.append(f"accept={quote(view.accept)}")
    if view.security:
        alternatives = tuple(_tuple(tuple(quote(n) for n in req)) for req in view.security)
        items.append(Pair("security=", _tuple(alternatives)))
    if view.styles:
        where: dict[str, list[tuple[str, Expr]]] = {}
        for location, name, style, explode in view.styles:
            where.setdefault(location, []).append(
                (quote(name), _tuple((quote(style), str(explode))))
            )
        items.append(Pair("styles=", _dict((quote(k), _dict(v)) for k, v in where.items())))
    return Seq(head, tuple(items))


def _signature(defn: str, name: str, params: list[str], returns: str) -> Seq:
    items = ("self", *(parameter(p) for p in params))
    return Seq(f"{defn} {name}", items, tail=f" -> {returns}:", is_def=True)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', "'''")


def _constructor(schemes: Mapping[str, SchemeView], http_client: str) -> list[str]:
    """``SCHEMES`` and an ``__init__`` with one typed credential argument per scheme."""
    if not schemes:
        return []
    table = [
        (quote(s.name), Seq("Scheme", (quote(s.kind), *([quote(s.key)] if s.key else []))))
        for s in schemes.values()
    ]
    params = [
        'base_url: str = ""',
        "*",
        *(f"{s.python}: {s.annotation} | None = None" for s in schemes.values()),
        "token: str | None = None",
        f"client: {http_client} | None = None",
        "headers: Mapping[str, str] | None = None",
        "timeout: float | httpx.Timeout = 10.0",
    ]
    credentials = _dict([(quote(s.name), s.python) for s in schemes.values()])
    doc = "; ".join(f"``{s.python}``, {s.doc}" for s in schemes.values())
    call = Seq(
        "super().__init__",
        (
            "base_url",
            "client=client",
            "token=token",
            Pair("credentials=", credentials),
            "headers=headers",
            "timeout=timeout",
        ),
    )
    return [
        "",
        *lines(joined("SCHEMES: ClassVar[Mapping[str, Scheme]] = ", _dict(table)), 4),
        "",
        *lines(_signature("def", "__init__", params, "None"), 4),
        docstring(
            f"Credentials, each sent where an operation asks for it: {_escape(doc)}.\n\n"
            "        ``token`` is the token of every bearer, OAuth2 or OpenID Connect scheme not\n"
            "        given by name.",
            8,
        ),
        *lines(call, 8),
    ]


def emit_client(
    header: str,
    title: str,
    class_name: str,
    views: list[OperationView],
    schemes: Mapping[str, SchemeView],
    runtime: str,
) -> str:
    """A sync and an async client class with one typed method per operation.

    ``runtime`` is the module the clients import their base from (``.runtime`` in a
    standalone package, ``generated.runtime`` for the copy a workspace's packages share).
    """
    out: list[str] = []
    for prefix, base, is_async in (("", "ClientBase", False), ("Async", "AsyncClientBase", True)):
        kind = "Async" if is_async else "Sync"
        out += [
            "",
            "",
            *lines(Seq(f"class {prefix}{class_name}Client", (base,), tail=":"), 0),
            docstring(
                f"{kind} client for {_escape(title)}. "
                "Raises ``ApiError`` for undocumented or error responses.",
                4,
            ),
        ]
        out += _constructor(schemes, "httpx.AsyncClient" if is_async else "httpx.Client")
        for view in views:
            ret = view.client_return
            defn = "async def" if is_async else "def"
            params = view.parameters(client=True)
            out += ["", *lines(_signature(defn, view.method_name, params, ret), 4), _doc(view)]
            call = _call(view, "await self._call" if is_async else "self._call")
            statement = call if ret == "None" else Seq("return cast", (quote(ret), call))
            out += lines(statement, 8)
        if not views and not schemes:
            out += ["", "    pass"]
    body = "\n".join(out)
    used = [n for n in ("BYTES", "TEXT", "FormField", "Scheme") if re.search(rf"\b{n}\b", body)]
    runtime_names = sorted(["ApiError", "AsyncClientBase", "ClientBase", *used], key=_isort_key)
    abc = [n for n in ("Iterable", "Mapping") if re.search(rf"\b{n}\b", body)]
    head = [
        header,
        "",
        "from __future__ import annotations",
        "",
        *([f"from collections.abc import {', '.join(abc)}"] if abc else []),
        _typing_import(body, "cast"),
        "",
        *(["import httpx"] if "httpx." in body else []),
        *_models_import(body, runtime_names=runtime_names, runtime=runtime),
        "",
        *lines(_all(["ApiError", f"Async{class_name}Client", f"{class_name}Client"]), 0),
    ]
    return "\n".join(head) + "\n" + body + "\n"


def _all(names: list[str]) -> Seq:
    return Seq("__all__ = ", tuple(quote(n) for n in names), "[", literal=True)


def _isort_key(name: str) -> tuple[int, str]:
    """isort-style, as ruff's RUF022 wants: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def _typing_import(body: str, *always: str) -> str:
    found = (n for n in ("IO", "Any", "ClassVar") if re.search(rf"\b{n}\b", body))
    names = sorted({*always, *found}, key=_isort_key)
    return f"from typing import {', '.join(names)}"


def _models_import(
    body: str, *, runtime_names: list[str] | None = None, runtime: str = ""
) -> list[str]:
    found = ["", "from . import models"] if "models." in body else []
    if runtime_names:  # the client's runtime import, placed as ruff's isort wants it
        imported = import_from(runtime, runtime_names)
        if runtime.startswith("."):
            found = [*(found or [""]), *imported]
        else:
            found[:0] = ["", *imported]
    return found


def _or_none(text: str | None) -> str:
    return "None" if text is None else quote(text)


def _pairs(args: list[tuple[str, str]]) -> Seq:
    """``(("name", "python"), ...)``: a tuple display of string pairs."""
    return _tuple(tuple(_tuple((quote(a), quote(b))) for a, b in args))


def _contract_line(relpath: str) -> list[str]:
    """``CONTRACT = (Path(__file__).parent / "...").resolve()``, split as black splits it."""
    path = f"Path(__file__).parent / {quote(relpath)}"
    statement = f"CONTRACT = ({path}).resolve()"
    if len(statement) <= LINE_LENGTH:
        return [statement]
    if len(path) + 4 <= LINE_LENGTH:
        return ["CONTRACT = (", f"    {path}", ").resolve()"]
    return ["CONTRACT = (", "    Path(__file__).parent", f"    / {quote(relpath)}", ").resolve()"]


def _operation_spec(view: OperationView) -> Pair:
    op = view.operation
    responses = _dict(
        [
            (str(status), _tuple((annotation(kind), _or_none(ctype))))
            for status, kind, ctype in view.responses
        ]
    )
    body = view.server_body
    fields: tuple[Expr, ...] = (
        f"operation_id={quote(op.name)}",
        f"handler={quote(view.method_name)}",
        f"method={quote(op.method.upper())}",
        f"path={quote(op.path)}",
        Pair("path_params=", _pairs([(a.name, a.python) for a in view.path_args])),
        Pair("query_params=", _pairs([(a.name, a.python) for a in view.query_args])),
        Pair("header_params=", _pairs([(a.name, a.python) for a in view.header_args])),
        Pair("body=", annotation(body.annotation) if body is not None else "None"),
        Pair("responses=", responses),
        f"default_status={view.default_status}",
    )
    return Pair(f"{quote(op.name)}: ", Seq("OperationSpec", fields))


def emit_server(
    header: str, title: str, class_name: str, contract_relpath: str, views: list[OperationView]
) -> str:
    """The service ``Protocol``, the operation table and ``create_app``."""
    out = [
        *_contract_line(contract_relpath),
        "",
        "",
        *lines(Seq(f"class {class_name}Service", ("Protocol",), tail=":"), 0),
        docstring(
            f"What an implementation of {_escape(title)} provides: one handler per operation.\n\n"
            "    Return the documented body (sent with the first documented 2xx status), a\n"
            "    ``Reply`` for another status or extra headers, or raise ``HttpProblem``;\n"
            "    handlers may be ``async def``.\n    ",
            4,
        ),
    ]
    for view in views:
        ret = view.return_annotation
        result = f"Result[{ret}]" if ret != "Any" else "Any"
        out += ["", *lines(_signature("def", view.method_name, view.parameters(), result), 4)]
        out += [_doc(view), "        ..."]
    if not views:
        out += ["", "    pass"]
    table = Seq(
        "OPERATIONS: dict[str, OperationSpec] = ",
        tuple(_operation_spec(view) for view in views),
        "{",
        literal=True,
        magic=True,
    )
    create_app = Seq(
        "def create_app",
        (f"service: {class_name}Service", "options: AppOptions | None = None"),
        tail=" -> Any:",
        is_def=True,
    )
    out += [
        "",
        "",
        *lines(table, 0),
        "",
        "",
        *lines(create_app, 0),
        docstring(
            f"A connexion ASGI app serving ``service`` for {_escape(title)}.\n\n"
            "    Raises ``StubError`` naming each operation ``service`` does not implement.\n    ",
            4,
        ),
        "    return build_app(CONTRACT, service, OPERATIONS, options)",
    ]
    body = "\n".join(out)
    names = [
        "CONTRACT", "OPERATIONS", "AppOptions", "HttpProblem", "Reply", f"{class_name}Service",
        "create_app",
    ]  # fmt: skip
    head = [
        header,
        "",
        "from __future__ import annotations",
        "",
        "from pathlib import Path",
        _typing_import(body, "Any", "Protocol"),
        "",
        "from accord.runtime import (",
        "    AppOptions,",
        "    HttpProblem,",
        "    OperationSpec,",
        "    Reply,",
        "    Result,",
        "    build_app,",
        ")",
        *_models_import(body),
        "",
        *lines(_all(sorted(names, key=_isort_key)), 0),
    ]
    return "\n".join(head) + "\n" + body + "\n"
