"""``client.py`` and ``server.py`` source text, from operation views.

The text is formatted afterwards (black, pinned), so the emitters only need to be
correct, not pretty.
"""

from __future__ import annotations

import re

from accord.codegen._operations import OperationView

__all__ = ["emit_client", "emit_server"]


def _doc(view: OperationView) -> str:
    op = view.operation
    summary = (op.summary or op.name).replace('"""', "'''").replace("\\", "\\\\").strip()
    return f'"""{summary} (``{op.method.upper()} {op.path}``)."""'


def _expect(view: OperationView) -> str:
    items = ", ".join(f"{status}: {annotation}" for status, annotation in view.success)
    return "{" + items + "}"


def _call_args(view: OperationView) -> str:
    op = view.operation
    parts = [repr(op.name), repr(op.method.upper()), repr(op.path), _expect(view)]
    if view.path_args:
        pairs = ", ".join(f"{a.name!r}: {a.python}" for a in view.path_args)
        parts.append(f"path_params={{{pairs}}}")
    if view.query_args:
        pairs = ", ".join(f"{a.name!r}: {a.python}" for a in view.query_args)
        parts.append(f"query={{{pairs}}}")
    if view.header_args:
        pairs = ", ".join(f"{a.name!r}: {a.python}" for a in view.header_args)
        parts.append(f"headers={{{pairs}}}")
    if view.body is not None:
        parts.append(f"body=body, body_kind={view.body_kind!r}")
    return ", ".join(parts)


def emit_client(header: str, title: str, class_name: str, views: list[OperationView]) -> str:
    """A sync and an async client class with one typed method per operation."""
    lines: list[str] = []
    for prefix, base, is_async in (("", "ClientBase", False), ("Async", "AsyncClientBase", True)):
        lines += [
            "",
            f"class {prefix}{class_name}Client({base}):",
            f'    """{"Async" if is_async else "Sync"} client for {title}. '
            'Raises ``ApiError`` for undocumented or error responses."""',
        ]
        for view in views:
            sig = view.signature()
            ret = view.return_annotation
            defn = "async def" if is_async else "def"
            call = f"self._call({_call_args(view)})"
            call = f"await {call}" if is_async else call
            lines += [
                "",
                f"    {defn} {view.method_name}(self{', ' if sig else ''}{sig}) -> {ret}:",
                f"        {_doc(view)}",
            ]
            if ret == "None":
                lines.append(f"        {call}")
            else:
                lines.append(f'        return cast("{ret}", {call})')
        if not views:
            lines.append("    pass")
    body = "\n".join(lines)
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
        f'__all__ = ["ApiError", "Async{class_name}Client", "{class_name}Client"]',
        "",
    ]
    return "\n".join(head) + body + "\n"


def _typing_import(body: str, *always: str) -> str:
    names = sorted({*always, *(n for n in ("Any",) if re.search(rf"\b{n}\b", body))})
    return f"from typing import {', '.join(names)}"


def _models_import(body: str) -> list[str]:
    return ["", "from . import models"] if "models." in body else []


def emit_server(
    header: str, title: str, class_name: str, contract_relpath: str, views: list[OperationView]
) -> str:
    """The service ``Protocol``, the operation table and ``create_app``."""
    lines = [
        f"CONTRACT = (Path(__file__).parent / {contract_relpath!r}).resolve()",
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
        sig = view.signature()
        ret = view.return_annotation
        result = f"Result[{ret}]" if ret != "Any" else "Any"
        lines += [
            "",
            f"    def {view.method_name}(self{', ' if sig else ''}{sig}) -> {result}:",
            f"        {_doc(view)}",
            "        ...",
        ]
    if not views:
        lines.append("    pass")
    lines += ["", "", "OPERATIONS: dict[str, OperationSpec] = {"]
    for view in views:
        op = view.operation
        responses = ", ".join(
            f"{status}: ({annotation if annotation != 'None' else 'None'}, {ctype!r})"
            for status, annotation, ctype in view.responses
        )
        fields = [
            f"operation_id={op.name!r}",
            f"handler={view.method_name!r}",
            f"method={op.method.upper()!r}",
            f"path={op.path!r}",
            f"path_params={tuple((a.name, a.python) for a in view.path_args)!r}",
            f"query_params={tuple((a.name, a.python) for a in view.query_args)!r}",
            f"header_params={tuple((a.name, a.python) for a in view.header_args)!r}",
            f"body={view.body.annotation if view.body is not None else None}",
            f"responses={{{responses}}}",
            f"default_status={view.default_status}",
        ]
        lines.append(f"    {op.name!r}: OperationSpec({', '.join(fields)}),")
    lines += [
        "}",
        "",
        "",
        f"def create_app(service: {class_name}Service, options: AppOptions | None = None) -> Any:",
        f'    """A connexion ASGI app serving ``service`` for {title}.',
        "",
        "    Raises ``StubError`` naming each operation ``service`` does not implement.",
        '    """',
        "    return build_app(CONTRACT, service, OPERATIONS, options)",
    ]
    body = "\n".join(lines)
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
        f"__all__ = {exported!r}".replace("'", '"'),
        "",
    ]
    return "\n".join(head) + body + "\n"
