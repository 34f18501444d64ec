"""Running schemathesis against a mock in-process, and collecting what it finds."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import hypothesis.errors
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.openapi.checks import UndefinedStatusCode

from accord.core import Contract
from accord.mock import MockApp, MockConfig

REPO = Path(__file__).resolve().parents[2]
SHOP = REPO / "contracts" / "openapi"
#: sent with every generated request; the mock only checks that a credential is there
AUTH = {"Authorization": "Bearer test-token"}


@dataclass
class Outcome:
    """What schemathesis found for one contract."""

    operations: int = 0
    cases: int = 0
    failures: list[str] = field(default_factory=list)


class SyncASGI(httpx.BaseTransport):
    """A synchronous httpx transport over an ASGI app (one event loop per request)."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        chunks = list(request.stream)  # type: ignore[arg-type]

        async def body() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk

        async def run() -> httpx.Response:
            sent = httpx.Request(
                request.method, request.url, headers=request.headers, content=body()
            )
            found = await self.inner.handle_async_request(sent)
            content = b"".join([part async for part in found.stream])  # type: ignore[union-attr]
            return httpx.Response(found.status_code, headers=found.headers, content=content)

        return asyncio.run(run())


def mock_client(app: Any) -> httpx.Client:
    """A client calling ``app`` in-process."""
    return httpx.Client(transport=SyncASGI(app), base_url="http://mock.test")


def run_schemathesis(
    path: Path,
    *,
    max_examples: int = 10,
    config: MockConfig | None = None,
    modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    checks: list[Any] | None = None,
    max_operations: int | None = None,
    app: MockApp | None = None,
) -> Outcome:
    """Every check (or only ``checks``) on every operation of ``path`` (or the first
    ``max_operations``), against a mock of ``path`` itself (or ``app``)."""
    if app is None:
        app = MockApp([Contract.from_path(path)], config or MockConfig())
    schema = schemathesis.openapi.from_path(path)
    schema.app = app
    schema.config.update(base_url="http://mock.test")
    outcome = Outcome()
    for result in schema.get_all_operations():
        if max_operations is not None and outcome.operations >= max_operations:
            break
        if not isinstance(result, Ok):
            outcome.failures.append(f"schemathesis cannot read an operation: {result.err()}")
            continue
        operation = result.ok()
        outcome.operations += 1
        for mode in modes:
            _run(operation, mode, max_examples, outcome, checks)
    return outcome


def _is_gap(failure: BaseException) -> bool:
    """A rejection the contract documents no way to express (see test_schemathesis.py)."""
    if not isinstance(failure, UndefinedStatusCode):
        return False
    status = failure.status_code
    documented = {str(code).upper() for code in failure.defined_status_codes}
    if "DEFAULT" in documented or "4XX" in documented:
        return False
    if status in (400, 422):  # invalid input, and neither 400 nor 422 documented
        return not documented & {"400", "422"}
    if status == 401:  # missing credentials, and neither 401 nor 403 documented
        return not documented & {"401", "403"}
    return False


def _is_form_gap(case: Any, failure: BaseException) -> bool:
    """Invalid data the form encoding loses: inside a nested object (``a[b]=1`` is not
    standard form encoding; a nested object is sent as its keys only, so no server can
    see what was wrong inside it), or a required array left out (absent is empty).
    """
    if type(failure).__name__ != "AcceptedNegativeData":
        return False
    if "x-www-form-urlencoded" not in str(case.media_type or ""):
        return False
    body = case.body if isinstance(case.body, dict) else {}
    nested = [
        v
        for v in body.values()
        if isinstance(v, dict) or (isinstance(v, list) and any(isinstance(i, dict) for i in v))
    ]
    return bool(nested) or bool(_absent_required_arrays(case, body))


def _absent_required_arrays(case: Any, body: dict[str, Any]) -> list[str]:
    """Required array fields missing from a form body: an empty array has no form
    encoding at all (``a=`` is one empty string), so absent and empty are one request."""
    raw = case.operation.schema.raw_schema
    for alternative in case.operation.body:
        if alternative.media_type != case.media_type:
            continue
        schema = _deref(raw, alternative.definition.get("schema"))
        if not isinstance(schema, dict):
            return []
        props = schema.get("properties") or {}
        return [
            name
            for name in schema.get("required") or ()
            if name not in body and _deref(raw, props.get(name), {}).get("type") == "array"
        ]
    return []


def _deref(root: dict[str, Any], node: Any, default: Any = None) -> Any:
    """``node`` with a local ``$ref`` followed (the corpus' form schemas use only these)."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
        seen += 1
        target: Any = root
        for token in node["$ref"].lstrip("#/").split("/"):
            key = token.replace("~1", "/").replace("~0", "~")
            target = target.get(key) if isinstance(target, dict) else None
        node = target
    return default if node is None else node


def _auth_for(case: Any) -> dict[str, str] | None:
    """``AUTH``, unless this negative case's mutation is the removal of the credential.

    Adding it back would undo the mutation and report the mock for accepting a
    request that, as sent, was valid.
    """
    meta = case.meta
    headers = {str(k).lower() for k in (case.headers or {})}
    header = meta.components.get(ParameterLocation.HEADER) if meta is not None else None
    if header is not None and header.mode is GenerationMode.NEGATIVE:
        return None if "authorization" not in headers else AUTH
    return AUTH


def _run(
    operation: Any,
    mode: GenerationMode,
    max_examples: int,
    outcome: Outcome,
    checks: list[Any] | None = None,
) -> None:
    strategy = operation.as_strategy(generation_mode=mode)
    seen: set[str] = set()

    @hypothesis.given(case=strategy)
    @hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    def check(case: Any) -> None:
        outcome.cases += 1
        try:
            case.call_and_validate(headers=_auth_for(case), checks=checks)
        except FailureGroup as group:
            for failure in group.exceptions:
                gap = "contract gap: " if _is_gap(failure) else ""
                if _is_form_gap(case, failure):
                    gap = "serialization gap: "
                status = getattr(failure, "status_code", None)
                kind = type(failure).__name__ + (f" {status}" if status is not None else "")
                text = f"{gap}{operation.label} [{mode.value}] {kind}: {failure}"
                key = f"{operation.label}{type(failure).__name__}"
                if key not in seen:
                    seen.add(key)
                    outcome.failures.append(text[:600])
        except AssertionError as exc:
            outcome.failures.append(f"{operation.label} [{mode.value}] {exc}"[:600])
        except InvalidSchema as exc:  # schemathesis refuses a schema it should check against
            key = f"{operation.label}InvalidSchema"
            if key not in seen:
                seen.add(key)
                first = str(exc).strip().splitlines()[0]
                outcome.failures.append(f"schemathesis cannot check {operation.label}: {first}")

    # no negative case exists when nothing in an operation can be made invalid
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        check()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A running `accord mock` process.

    Its output goes to temporary files, not pipes: a pipe nobody reads fills after a few
    hundred log lines and then blocks the server.
    """

    def __init__(self, *args: str, cwd: Path = REPO) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop)
        self.err = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "accord", "mock", *args, "--port", str(self.port)],
            cwd=cwd,
            stdout=self.out,
            stderr=self.err,
        )

    def _stderr(self) -> str:
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def wait(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited: {self._stderr()}")
            try:
                httpx.get(self.url + "/__accord/unknown", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("the server did not start in time")

    def stop(self) -> str:
        """Stop the server; returns what it wrote to stderr."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        err = self._stderr()
        self.out.close()
        self.err.close()
        return err
