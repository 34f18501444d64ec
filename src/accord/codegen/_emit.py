"""``client.py`` and ``server.py`` source text, from operation views.

The text is formatted afterwards (black, pinned), so the emitters only need to be
correct, not pretty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from accord.codegen._operations import OperationView
from accord.codegen._security import SchemeView

__all__ = ["emit_client", "emit_server"]


def _doc(view: OperationView) -> str:
    op = view.operation
    summary = (op.summary or op.name).replace('"""', "'''").replace("\\", "\\\\").strip()
    return f'"""{summary} (``{op.method.upper()} {op.path}``)."""'


def _expect(view: OperationView) -> str:
    items = ", ".join(
        f"{s}: {code if s < 300 else None}"
        for s, _, code in view.client_responses
        if 200 <= s < 400
    )
    return "{" + items + "}"


def _call_args(view: OperationView) -> str:
    op = view.operation
    parts = [repr(op.name), repr(op.method.upper()), repr(op.path), _expect(view)]
    for keyword, args in (
        ("path_params", view.path_args),
        ("query", view.query_args),
        ("headers", view.header_args),
        ("cookies", view.cookie_args),
    ):
        if args:
            pairs = ", ".join(f"{a.name!r}: {a.python}" for a in args)
            parts.append(f"{keyword}={{{pairs}}}")
    if view.body is not None:
        parts.append(f"body=body, body_kind={view.body_kind!r}")
        media = view.body_media
        if view.body_kind in ("text", "binary") and media and "*" not in media:
            parts.append(f"content_type={media!r}")
    if view.accept:
        parts.append(f"accept={view.accept!r}")
    if view.security:
        parts.append(f"security={view.security!r}")
    if view.query_styles:
        pairs = ", ".join(f"{n!r}: ({s!r}, {e!r})" for n, s, e in view.query_styles)
        parts.append(f"query_styles={{{pairs}}}")
    return ", ".join(parts)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', "'''")


def _constructor(schemes: Mapping[str, SchemeView], http_client: str) -> list[str]:
    """``SCHEMES`` and an ``__init__`` with one typed credential argument per scheme."""
    if not schemes:
        return []
    table = ", ".join(
        f"{s.name!r}: Scheme({s.kind!r}{', ' + repr(s.key) if s.key else ''})"
        for s in schemes.values()
    )
    args = "".join(f"{s.python}: {s.annotation} | None = None, " for s in schemes.values())
    credentials = ", ".join(f"{s.name!r}: {s.python}" for s in schemes.values())
    doc = "; ".join(f"``{s.python}``, {s.doc}" for s in schemes.values())
    return [
        "",
        f"    SCHEMES: ClassVar[Mapping[str, Scheme]] = {{{table}}}",
        "",
        f'    def __init__(self, base_url: str = "", *, {args}token: str | None = None, '
        f"client: {http_client} | None = None, headers: Mapping[str, str] | None = None, "
        "timeout: float | httpx.Timeout = 10.0) -> None:",
        f'        """Credentials, each sent where an operation asks for it: {_escape(doc)}.',
        "",
        "        ``token`` is the token of every bearer, OAuth2 or OpenID Connect scheme not",
        '        given by name."""',
        "        super().__init__(base_url, client=client, token=token, "
        f"credentials={{{credentials}}}, headers=headers, timeout=timeout)",
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
    lines: list[str] = []
    for prefix, base, is_async in (("", "ClientBase", False), ("Async", "AsyncClientBase", True)):
        lines += [
            "",
            f"class {prefix}{class_name}Client({base}):",
            f'    """{"Async" if is_async else "Sync"} client for {_escape(title)}. '
            'Raises ``ApiError`` for undocumented or error responses."""',
        ]
        lines += _constructor(schemes, "httpx.AsyncClient" if is_async else "httpx.Client")
        for view in views:
            sig = view.signature(client=True)
            ret = view.client_return
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
        if not views and not schemes:
            lines.append("    pass")
    body = "\n".join(lines)
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
        f'__all__ = ["ApiError", "Async{class_name}Client", "{class_name}Client"]',
        "",
    ]
    return "\n".join(head) + body + "\n"


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
    lines = ["", "from . import models"] if "models." in body else []
    if runtime_names:  # the client's runtime import, placed as ruff's isort wants it
        line = f"from {runtime} import {', '.join(runtime_names)}"
        if runtime.startswith("."):
            lines = [*(lines or [""]), line]
        else:
            lines[:0] = ["", line]
    return lines


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
            f"body={view.server_body.annotation if view.server_body is not None else None}",
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
    exported = sorted(names, key=_isort_key)
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
