"""`accord generate` over every real-world OpenAPI document in the corpus: the generated
client passes ``mypy --strict`` and calls every operation of ``accord mock`` of the same
document without a client-side error.

Each document is generated once (models + client) into one folder for the module. Every
operation is called with its required arguments, drawn from the contract's own schemas
and parsed into the client's argument types, and with a credential for every scheme. The
mock is the real ``MockApp``, called in-process (no port, no process start per document).
Then a sample of each document's operations is called with every argument (optional
query, header and cookie parameters, optional bodies) against ``accord mock`` of the same
document on 127.0.0.1: a request the mock refuses is a defect of the client.
"""

from __future__ import annotations

import importlib
import os
import random
import subprocess
import sys
import types
import typing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any, get_args, get_origin

import httpx
import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from accord import AccordError, Contract, Direction
from accord.codegen import generate_package
from accord.codegen._operations import OperationView, operation_views
from accord.codegen._types import TypeMapper
from accord.mock import MockApp, MockConfig
from accord.mock._generate import Unsatisfiable, generate_valid
from tests.conftest import CORPUS
from tests.mock.helpers import Server, mock_client

DOCUMENTS = sorted(
    p for p in (CORPUS / "openapi").rglob("*") if p.suffix in (".yaml", ".yml", ".json")
)
REFUSED = {"kubernetes-v1.28.0.swagger2.json", "3.2-tags-example.yaml"}
USABLE = [p for p in DOCUMENTS if p.name not in REFUSED]
#: what the mock may answer without the client being at fault: 404 (a generated id names
#: nothing), 409, 501 (the mock cannot build an answer the contract allows)
MOCK_ANSWERS = {404, 409, 501}
#: operations of each document called with every argument against a real ``accord mock``
SAMPLE = 8

pytestmark = pytest.mark.slow


def package_name(path: Path) -> str:
    return "corpus_" + "".join(c if c.isalnum() else "_" for c in path.stem).lower()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every usable document's models and client, one package each, in one folder."""
    root = tmp_path_factory.mktemp("corpus_clients")
    # one document per core, the largest first (the two Stripe documents are most of it)
    largest_first = sorted(USABLE, key=lambda p: p.stat().st_size, reverse=True)
    with ProcessPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        for done in pool.map(_generate_one, largest_first, [root] * len(largest_first)):
            assert done.is_dir()
    return root


def _generate_one(path: Path, root: Path) -> Path:
    name = package_name(path)
    generate_package(Contract.from_path(path), name, root / name, parts=("models", "client"))
    return root / name


@pytest.mark.parametrize("path", [p for p in DOCUMENTS if p.name in REFUSED], ids=lambda p: p.name)
def test_unsupported_documents_are_refused_with_a_location(path: Path) -> None:
    with pytest.raises(AccordError) as caught:
        Contract.from_path(path)
    assert caught.value.location is not None and caught.value.location.line >= 1


def test_every_generated_client_passes_mypy_strict(generated: Path) -> None:
    packages = [arg for path in USABLE for arg in ("-p", package_name(path))]
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file=",
         "--python-version=3.11", *packages],
        cwd=generated, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def _import(root: Path, name: str) -> ModuleType:
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module(f"{name}.client")
    finally:
        sys.path.remove(str(root))


def _forget(name: str) -> None:
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def _union(hint: Any) -> bool:
    return get_origin(hint) in (typing.Union, types.UnionType)


def _simple(value: Any, explode: bool) -> str:
    """A header or cookie value as OpenAPI's ``simple`` style writes it (their ``str``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_simple(v, explode) for v in value)
    if isinstance(value, dict):
        pairs = ((str(k), _simple(v, explode)) for k, v in value.items())
        return ",".join(f"{k}={v}" if explode else f"{k},{v}" for k, v in pairs)
    return str(value)


def _credentials(cls: type) -> dict[str, Any]:
    """A credential for every scheme the constructor takes (a pair for HTTP basic)."""
    hints = typing.get_type_hints(cls.__init__)
    skip = {"base_url", "token", "credentials", "client", "headers", "timeout", "return"}
    return {
        name: ("user", "pass") if "tuple" in str(hint) else "t0ken"
        for name, hint in hints.items()
        if name not in skip
    }


class Caller:
    """Builds each operation's arguments from the contract and calls the client."""

    def __init__(self, contract: Contract, api: Any) -> None:
        self.contract = contract
        self.api = api
        self.rng = random.Random(7)

    def value(self, schema: Any) -> Any:
        if schema is None:
            return "x"
        return generate_valid(self.contract, schema, Direction.REQUEST, self.rng)

    def arguments(
        self, view: OperationView, *, every: bool = False
    ) -> tuple[list[Any], dict[str, Any]]:
        """The required arguments (``every``: all of them, and a body even if optional)."""
        op = view.operation
        method = getattr(self.api, view.method_name)
        hints = typing.get_type_hints(method)
        args = []
        for arg in view.path_args:
            param = op.parameter("path", arg.name)
            assert param is not None
            args.append(TypeAdapter(hints[arg.python]).validate_python(self.value(param.schema)))
        kwargs: dict[str, Any] = {}
        if view.body is not None and view.body.required:
            args.append(self.body(view, hints["body"]))
        elif view.body is not None and every:
            kwargs["body"] = self.body(view, hints["body"])
        for location, group in (
            ("query", view.query_args), ("header", view.header_args), ("cookie", view.cookie_args),
        ):  # fmt: skip
            for arg in group:
                param = op.parameter(location, arg.name)
                if param is None or not (arg.required or every):
                    continue
                value = self.value(param.schema)
                hint = hints[arg.python]
                if location != "query" and str in (hint, *(get_args(hint) if _union(hint) else ())):
                    value = _simple(value, param.explode)
                kwargs[arg.python] = TypeAdapter(hint).validate_python(value)
        return args, kwargs

    def body(self, view: OperationView, annotation: Any) -> Any:
        if view.body_kind == "binary":
            return b"\x00accord\xff"
        if view.body_kind == "text":
            return "accord"
        request = view.operation.request_body
        assert request is not None and view.body_media is not None
        schema = request.content[view.body_media].schema
        value = self.value(schema) if schema is not None else {}
        if view.body_kind == "multipart" and not isinstance(value, dict):
            value = {}
        return TypeAdapter(annotation).validate_python(value)


def _missing(request: httpx.Request, view: OperationView, kwargs: dict[str, Any]) -> list[str]:
    """The arguments given that ``request`` does not carry (an empty list or object sends
    nothing; an exploded form object sends its properties, a deepObject ``name[...]``)."""
    query = {k for k, _ in request.url.params.multi_items()}
    jar = request.headers.get("cookie", "")
    cookies = {c.split("=", 1)[0].strip() for c in jar.split(";")}
    styles = {(w, n): (s, e) for w, n, s, e in view.styles}
    missing = []
    for location, group in (
        ("query", view.query_args), ("header", view.header_args), ("cookie", view.cookie_args),
    ):  # fmt: skip
        for arg in group:
            value = kwargs.get(arg.python)
            if isinstance(value, BaseModel):
                value = value.model_dump(mode="json", by_alias=True, exclude_none=True)
            if value is None or value in ([], {}):
                continue
            default = ("simple", False) if location == "header" else ("form", True)
            style, explode = styles.get((location, arg.name), default)
            if location == "header":
                found = arg.name.lower() in request.headers
            elif location == "cookie" and isinstance(value, dict) and explode:
                found = bool(set(map(str, value)) & cookies)  # one cookie per property
            elif location == "cookie":
                found = arg.name in cookies
            elif style == "deepObject" and isinstance(value, dict | list):
                found = any(k.startswith(f"{arg.name}[") for k in query)
            elif isinstance(value, dict) and explode:
                found = bool(set(map(str, value)) & query)
            else:
                found = arg.name in query
            if not found:
                missing.append(f"{location} {arg.name}")
    if kwargs.get("body") is not None and not request.headers.get("content-type"):
        missing.append("body")
    return missing


def _call_each(
    module: ModuleType,
    caller: Caller,
    views: list[OperationView],
    *,
    every: bool = False,
    sent: list[httpx.Request] | None = None,
) -> tuple[Counter[int], list[str]]:
    """Each operation called once: the statuses seen, and what went wrong on the client's side
    (with ``sent``, where the client records its requests, also each argument not sent)."""
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    for view in views:
        label = f"{view.operation.key} ({view.method_name})"
        try:
            args, kwargs = caller.arguments(view, every=every)
        except Unsatisfiable:
            continue  # no valid argument exists to send: nothing to call with
        except ValidationError as exc:  # the client's types refuse what the contract allows
            failures.append(f"{label}: arguments valid for the contract refused: {exc}"[:400])
            continue
        try:
            getattr(caller.api, view.method_name)(*args, **kwargs)
            statuses[200] += 1
        except module.ApiError as exc:  # the package's own runtime copy
            status = exc.status
            statuses[status] += 1
            answers = any(200 <= s < 400 for s, _, _ in view.client_responses)
            if status not in MOCK_ANSWERS and answers:  # else only errors are documented
                failures.append(f"{label}: the mock refused the request: {str(exc)[:300]}")
        except Exception as exc:  # a client-side error: what this test exists to catch
            failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:300]}")
            continue
        if sent and (missing := _missing(sent[-1], view, kwargs)):
            failures.append(f"{label}: given but not sent: {', '.join(missing)}")
    return statuses, failures


def _client_class(module: ModuleType) -> type:
    sync = [getattr(module, n) for n in module.__all__ if n.endswith("Client")]
    found: type = next(c for c in sync if not c.__name__.startswith("Async"))
    return found


@pytest.mark.parametrize("path", USABLE, ids=lambda p: p.name)
def test_the_client_calls_every_operation_of_the_mock(path: Path, generated: Path) -> None:
    name = package_name(path)
    module = _import(generated, name)
    try:
        contract = Contract.from_path(path)
        cls = _client_class(module)
        app = MockApp([(name, contract)], MockConfig(seed=3))
        http = mock_client(app)
        api = cls("", client=http, **_credentials(cls))
        views = operation_views(contract, TypeMapper(contract, {}))
        statuses, failures = _call_each(module, Caller(contract, api), views)
        http.close()
    finally:
        _forget(name)
    assert not failures, f"{len(failures)} of {sum(statuses.values()) + len(failures)}:\n" + (
        "\n".join(failures[:40])
    )


@pytest.mark.parametrize("path", USABLE, ids=lambda p: p.name)
def test_the_client_sends_every_argument_and_the_mock_on_a_port_accepts_it(
    path: Path, generated: Path
) -> None:
    """Up to ``SAMPLE`` operations, each with every parameter and a body, their values drawn
    from the schemas by the mock's own generator, sent over TCP to ``accord mock``."""
    name = package_name(path)
    module = _import(generated, name)
    server = Server(str(path), "-q", "--seed", "3")
    try:
        server.wait(timeout=90)
        contract = Contract.from_path(path)
        cls = _client_class(module)
        views = operation_views(contract, TypeMapper(contract, {}))
        sample = random.Random(path.name).sample(views, min(SAMPLE, len(views)))
        sent: list[httpx.Request] = []
        with httpx.Client(event_hooks={"request": [sent.append]}) as http:
            api = cls(server.url, client=http, **_credentials(cls))
            caller = Caller(contract, api)
            statuses, failures = _call_each(module, caller, sample, every=True, sent=sent)
    finally:
        server.stop()
        _forget(name)
    assert not failures, f"{len(failures)} of {sum(statuses.values()) + len(failures)}:\n" + (
        "\n".join(failures[:40])
    )
