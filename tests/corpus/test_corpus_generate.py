"""`accord generate` over every real-world OpenAPI document in the corpus: the generated
client passes ``mypy --strict`` and calls every operation of ``accord mock`` of the same
document without a client-side error.

Each document is generated once (models + client) into one folder for the module. Every
operation is called with its required arguments, drawn from the contract's own schemas
and parsed into the client's argument types, and with a credential for every scheme. The
mock is the real ``MockApp``, called in-process (no port, no process start per document).
"""

from __future__ import annotations

import importlib
import os
import random
import subprocess
import sys
import typing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from accord import AccordError, Contract, Direction
from accord.codegen import generate_package
from accord.codegen._operations import OperationView, operation_views
from accord.codegen._types import TypeMapper
from accord.mock import MockApp, MockConfig
from accord.mock._generate import Unsatisfiable, generate_valid
from tests.conftest import CORPUS
from tests.mock.helpers import mock_client

DOCUMENTS = sorted(
    p for p in (CORPUS / "openapi").rglob("*") if p.suffix in (".yaml", ".yml", ".json")
)
REFUSED = {"kubernetes-v1.28.0.swagger2.json", "3.2-tags-example.yaml"}
USABLE = [p for p in DOCUMENTS if p.name not in REFUSED]
#: what the mock may answer without the client being at fault: 404 (a generated id names
#: nothing), 409, 501 (the mock cannot build an answer the contract allows)
MOCK_ANSWERS = {404, 409, 501}

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

    def arguments(self, view: OperationView) -> tuple[list[Any], dict[str, Any]]:
        op = view.operation
        method = getattr(self.api, view.method_name)
        hints = typing.get_type_hints(method)
        args = []
        for arg in view.path_args:
            param = op.parameter("path", arg.name)
            assert param is not None
            args.append(TypeAdapter(hints[arg.python]).validate_python(self.value(param.schema)))
        if view.body is not None and view.body.required:
            args.append(self.body(view, hints["body"]))
        kwargs: dict[str, Any] = {}
        for location, group in (
            ("query", view.query_args), ("header", view.header_args), ("cookie", view.cookie_args),
        ):  # fmt: skip
            for arg in group:
                param = op.parameter(location, arg.name)
                if param is None or not arg.required:
                    continue
                value = self.value(param.schema)
                kwargs[arg.python] = TypeAdapter(hints[arg.python]).validate_python(
                    str(value) if location != "query" and hints[arg.python] is str else value
                )
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


@pytest.mark.parametrize("path", USABLE, ids=lambda p: p.name)
def test_the_client_calls_every_operation_of_the_mock(path: Path, generated: Path) -> None:
    name = package_name(path)
    module = _import(generated, name)
    try:
        contract = Contract.from_path(path)
        sync = [getattr(module, n) for n in module.__all__ if n.endswith("Client")]
        cls = next(c for c in sync if not c.__name__.startswith("Async"))
        app = MockApp([(name, contract)], MockConfig(seed=3))
        http = mock_client(app)
        api = cls("", client=http, **_credentials(cls))
        caller = Caller(contract, api)
        statuses: Counter[int] = Counter()
        failures: list[str] = []
        for view in operation_views(contract, TypeMapper(contract, {})):
            label = f"{view.operation.key} ({view.method_name})"
            try:
                args, kwargs = caller.arguments(view)
            except Unsatisfiable:
                continue  # no valid argument exists to send: nothing to call with
            except ValidationError as exc:  # the client's types refuse what the contract allows
                failures.append(f"{label}: arguments valid for the contract refused: {exc}"[:400])
                continue
            try:
                getattr(api, view.method_name)(*args, **kwargs)
                statuses[200] += 1
            except module.ApiError as exc:  # the package's own runtime copy
                status = exc.status
                statuses[status] += 1
                answers = any(200 <= s < 400 for s, _, _ in view.client_responses)
                if status not in MOCK_ANSWERS and answers:  # else only errors are documented
                    failures.append(f"{label}: the mock refused the request: {str(exc)[:300]}")
            except Exception as exc:  # a client-side error: what this test exists to catch
                failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:300]}")
        http.close()
    finally:
        _forget(name)
    assert not failures, f"{len(failures)} of {sum(statuses.values()) + len(failures)}:\n" + (
        "\n".join(failures[:40])
    )
