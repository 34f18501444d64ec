"""``client.py`` and ``server.py`` source text, from operation views.

The text comes out formatted: long statements are described as :mod:`_layout` trees
and laid out as black would (its line length, 100), so no formatter runs afterwards.
"""

from __future__ import annotations

import re

from accord.codegen._layout import LINE_LENGTH, Expr, Pair, Seq, lines, quote, split_top
from accord.codegen._operations import OperationView

__all__ = ["emit_client", "emit_server"]


def _doc(view: OperationView) -> str:
    op = view.operation
    summary = " ".join((op.summary or op.name).split())  # one line, as black keeps it
    summary = summary.replace('"""', "'''").replace("\\", "\\\\")
    if summary.startswith('"'):
        summary = " " + summary  # black's padding before a quote that opens the docstring
    return f'"""{summary} (``{op.method.upper()} {op.path}``)."""'


def _dict(pairs: list[tuple[str, str]]) -> Seq:
    return Seq("", tuple(f"{k}: {v}" for k, v in pairs), "{", literal=True)


def _call(view: OperationView, head: str) -> Seq:
    op = view.operation
    items: list[Expr] = [
        quote(op.name),
        quote(op.method.upper()),
        quote(op.path),
        _dict([(str(status), annotation) for status, annotation in view.success]),
    ]
    for keyword, args in (
        ("path_params", view.path_args),
        ("query", view.query_args),
        ("headers", view.header_args),
    ):
        if args:
            items.append(Pair(f"{keyword}=", _dict([(quote(a.name), a.python) for a in args])))
    if view.body is not None:
        items += ["body=body", f"body_kind={_or_none(view.body_kind)}"]
    return Seq(head, tuple(items))


def _signature(defn: str, view: OperationView, returns: str) -> Seq:
    params = ("self", *split_top(view.signature()))
    return Seq(f"{defn} {view.method_name}", params, tail=f" -> {returns}:", is_def=True)


def emit_client(header: str, title: str, class_name: str, views: list[OperationView]) -> str:
    """A sync and an async client class with one typed method per operation."""
    out: list[str] = []
    for prefix, base, is_async in (("", "ClientBase", False), ("Async", "AsyncClientBase", True)):
        out += [
            "",
            "",
            f"class {prefix}{class_name}Client({base}):",
            f'    """{"Async" if is_async else "Sync"} client for {title}. '
            'Raises ``ApiError`` for undocumented or error responses."""',
        ]
        for view in views:
            ret = view.return_annotation
            out += ["", *lines(_signature("async def" if is_async else "def", view, ret), 4)]
            out.append(f"        {_doc(view)}")
            call = _call(view, "await self._call" if is_async else "self._call")
            statement = call if ret == "None" else Seq("return cast", (quote(ret), call))
            out += lines(statement, 8)
        if not views:
            out += ["", "    pass"]
    body = "\n".join(out)
    head = [
        header,
        "",
        "from __future__ import annotations",
        "",
        _typing_import(body, "cast"),
        "",
        "from accord.runtime import ApiError, AsyncClientBase, ClientBase",
        *_models_import(body),
        "",
        *lines(_all(["ApiError", f"Async{class_name}Client", f"{class_name}Client"]), 0),
    ]
    return "\n".join(head) + "\n" + body + "\n"


def _all(names: list[str]) -> Seq:
    return Seq("__all__ = ", tuple(quote(n) for n in names), "[", literal=True)


def _typing_import(body: str, *always: str) -> str:
    names = sorted({*always, *(n for n in ("Any",) if re.search(rf"\b{n}\b", body))})
    return f"from typing import {', '.join(names)}"


def _models_import(body: str) -> list[str]:
    return ["", "from . import models"] if "models." in body else []


def _pairs(args: list[tuple[str, str]]) -> Seq:
    """``(("name", "python"), ...)``: a tuple display of string pairs."""
    items = tuple(Seq("", (quote(a), quote(b)), literal=True) for a, b in args)
    return Seq("", items, literal=True, one_tuple=len(items) == 1)


def _or_none(text: str | None) -> str:
    return "None" if text is None else quote(text)


def _contract_line(relpath: str) -> list[str]:
    """``CONTRACT = (Path(__file__).parent / "...").resolve()``, split as black splits it."""
    path = f"Path(__file__).parent / {quote(relpath)}"
    statement = f"CONTRACT = ({path}).resolve()"
    if len(statement) <= LINE_LENGTH:
        return [statement]
    if len(path) + 4 <= LINE_LENGTH:
        return ["CONTRACT = (", f"    {path}", ").resolve()"]
    return ["CONTRACT = (", "    Path(__file__).parent", f"    / {quote(relpath)}", ").resolve()"]


def emit_server(
    header: str, title: str, class_name: str, contract_relpath: str, views: list[OperationView]
) -> str:
    """The service ``Protocol``, the operation table and ``create_app``."""
    out = [
        *_contract_line(contract_relpath),
        "",
        "",
        f"class {class_name}Service(Protocol):",
        f'    """What an implementation of {title} provides: one handler per operation.',
        "",
        "    Return the documented body (sent with the first documented 2xx status), a",
        "    ``Reply`` for another status or extra headers, or raise ``HttpProblem``;",
        "    handlers may be ``async def``.",
        '    """',
    ]
    for view in views:
        ret = view.return_annotation
        result = f"Result[{ret}]" if ret != "Any" else "Any"
        out += ["", *lines(_signature("def", view, result), 4)]
        out += [f"        {_doc(view)}", "        ..."]
    if not views:
        out += ["", "    pass"]
    operations: list[Expr] = []
    for view in views:
        op = view.operation
        responses = Seq(
            "",
            tuple(
                Pair(f"{status}: ", Seq("", (annotation, _or_none(ctype)), literal=True))
                for status, annotation, ctype in view.responses
            ),
            "{",
            literal=True,
        )
        fields: tuple[Expr, ...] = (
            f"operation_id={quote(op.name)}",
            f"handler={quote(view.method_name)}",
            f"method={quote(op.method.upper())}",
            f"path={quote(op.path)}",
            Pair("path_params=", _pairs([(a.name, a.python) for a in view.path_args])),
            Pair("query_params=", _pairs([(a.name, a.python) for a in view.query_args])),
            Pair("header_params=", _pairs([(a.name, a.python) for a in view.header_args])),
            f"body={view.body.annotation if view.body is not None else None}",
            Pair("responses=", responses),
            f"default_status={view.default_status}",
        )
        operations.append(Pair(f"{quote(op.name)}: ", Seq("OperationSpec", fields)))
    table = Seq("OPERATIONS: dict[str, OperationSpec] = ", tuple(operations), "{", literal=True)
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
        f'    """A connexion ASGI app serving ``service`` for {title}.',
        "",
        "    Raises ``StubError`` naming each operation ``service`` does not implement.",
        '    """',
        "    return build_app(CONTRACT, service, OPERATIONS, options)",
    ]
    body = "\n".join(out)
    names = [
        "CONTRACT", "OPERATIONS", "AppOptions", "HttpProblem", "Reply", f"{class_name}Service",
        "create_app",
    ]  # fmt: skip
    # isort-style, as ruff's RUF022 wants: CONSTANTS, then Classes, then functions
    exported = sorted(names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
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
        *lines(_all(exported), 0),
    ]
    return "\n".join(head) + "\n" + body + "\n"
