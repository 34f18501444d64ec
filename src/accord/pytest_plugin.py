"""Layer 4, the pytest plugin (entry point ``pytest11``) for projects on an Accord workspace.

Fixtures:

- ``accord_workspace``: the workspace (``$ACCORD_WORKSPACE``, or found from the rootdir);
- ``accord_client(service, base_url=None, *, app=None, asynchronous=False, token=None)``:
  the generated client of a service, bound to a URL or to an ASGI app in-process;
- ``accord_pact(consumer, provider)``: a fresh pact-python ``Pact`` (V4); its pact is
  written only when the test passed and its mock server saw every interaction (a message
  pact: ``pact.verify(handler, "Async")`` handed every message to the consumer);
- ``accord_mock(service, **options)``: an Accord mock server of the service on a free
  port (``options`` are :class:`accord.mock.MockConfig` fields), with ``url`` and ``reset()``.

How pacts are written: each passing test writes its pacts into its own temporary folder;
at the end of the session they are merged per (consumer, provider) and written to
``$ACCORD_PACTS_DIR`` or the workspace's pacts folder, but only if every collected test
that uses ``accord_pact`` ran and passed. A pair's file is replaced as a whole, so a removed
interaction disappears; with ``$ACCORD_PACTS_DIR`` set the run owns the folder and pact
files no test wrote are removed too (``accord pacts`` and ``make pacts`` run that way).
"""

from __future__ import annotations

import os

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")  # before pact-python is imported

import importlib
import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest
from pact import Pact
from pact.pact import PactServer

from accord.mock import MockApp, MockConfig
from accord.pacts import PactMergeError, merge_pacts, write_pacts
from accord.workspace import Workspace

__all__ = [
    "PACTS_DIR_ENV",
    "WORKSPACE_ENV",
    "RunningMock",
    "accord_client",
    "accord_mock",
    "accord_pact",
    "accord_workspace",
]

#: where the session writes its pacts; when set, the folder holds exactly this run's pacts
PACTS_DIR_ENV = "ACCORD_PACTS_DIR"
#: the workspace (a folder or an ``accord.yaml``) when it cannot be found from the rootdir
WORKSPACE_ENV = "ACCORD_WORKSPACE"

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@dataclass(slots=True)
class _PactRun:
    """What the session's pact tests produced, and whether all of them passed."""

    expected: set[str] = field(default_factory=set)
    passed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    deselected: int = 0
    notes: list[str] = field(default_factory=list)


_RUN = pytest.StashKey[_PactRun]()


def _find_workspace(root: Path) -> Workspace | None:
    named = os.environ.get(WORKSPACE_ENV)
    return Workspace.from_path(named) if named else Workspace.discover(root)


# hooks -------------------------------------------------------------------------------------
def pytest_configure(config: pytest.Config) -> None:
    config.stash[_RUN] = _PactRun()


def pytest_deselected(items: list[pytest.Item]) -> None:
    for item in items:
        if "accord_pact" in getattr(item, "fixturenames", ()):
            item.config.stash[_RUN].deselected += 1


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    run = config.stash[_RUN]
    run.expected = {i.nodeid for i in items if "accord_pact" in getattr(i, "fixturenames", ())}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    if report.failed and item.nodeid in item.config.stash[_RUN].expected:
        item.config.stash[_RUN].failed.add(item.nodeid)
    return report


def _why_not(run: _PactRun, session: pytest.Session) -> str | None:
    if session.testsfailed:
        return f"{session.testsfailed} test(s) failed"
    if run.failed:
        return f"{len(run.failed)} pact test(s) failed"
    if run.deselected:
        return f"{run.deselected} pact test(s) were deselected"
    missing = run.expected - set(run.passed)
    if missing:
        return f"{len(missing)} pact test(s) did not run"
    return None


def pytest_sessionfinish(session: pytest.Session) -> None:
    run = session.config.stash.get(_RUN, None)
    if run is None or not run.expected or session.config.option.collectonly:
        return
    say = run.notes.append
    reason = _why_not(run, session)
    if reason is not None:
        say(f"accord: pacts not written: {reason}")
        return
    explicit = os.environ.get(PACTS_DIR_ENV)
    if explicit:
        target = Path(explicit)
    else:
        workspace = _find_workspace(session.config.rootpath)
        if workspace is None:
            say(f"accord: pacts not written: no workspace (set ${PACTS_DIR_ENV})")
            return
        target = workspace.pacts_dir
    try:
        merged = merge_pacts(doc for node in sorted(run.passed) for doc in run.passed[node])
    except PactMergeError as exc:
        say(f"accord: pacts not written: {exc}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        return
    changed = write_pacts(target, merged, clean=bool(explicit))
    say(f"accord: {len(merged)} pact file(s) in {target}, {len(changed)} changed")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    run = terminalreporter.config.stash.get(_RUN, None)
    for note in run.notes if run is not None else ():
        terminalreporter.write_line(note)


# accord_workspace --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def accord_workspace(pytestconfig: pytest.Config) -> Workspace:
    """The Accord workspace: ``$ACCORD_WORKSPACE``, or found from the rootdir upwards."""
    found = _find_workspace(pytestconfig.rootpath)
    if found is None:
        pytest.fail(
            f"accord_workspace: no contracts/accord.yaml in {pytestconfig.rootpath} or a parent;"
            f" set ${WORKSPACE_ENV}",
            pytrace=False,
        )
    return found


# accord_pact -------------------------------------------------------------------------------
class _TrackedPact(Pact):
    """A ``Pact`` that remembers its mock servers, so teardown knows they were all matched."""

    def __init__(self, consumer: str, provider: str) -> None:
        super().__init__(consumer, provider)
        self.servers: list[PactServer] = []
        self.messages_verified = False  # `verify()` handed every message to the consumer

    def verify(self, handler: Any, kind: Any, *, raises: bool = True) -> Any:
        errors = super().verify(handler, kind, raises=raises)  # type: ignore[call-overload]
        self.messages_verified = not errors
        return errors

    def serve(
        self,
        addr: str = "localhost",
        port: int = 0,
        transport: str = "http",
        transport_config: str | None = None,
        *,
        raises: bool = True,
        verbose: bool = True,
    ) -> PactServer:
        server = super().serve(
            addr, port, transport, transport_config, raises=raises, verbose=verbose
        )
        self.servers.append(server)
        return server


def _unmatched(pact: _TrackedPact) -> str | None:
    if not pact.servers and pact.messages_verified:
        return None  # a message pact: its consumer handled every message
    if not pact.servers or all(s.port is None for s in pact.servers):
        return (
            f"the pact {pact} was never served (use `with pact.serve() as server:`)"
            " nor its messages verified (`pact.verify(handler, 'Async')`),"
            " or its mock server was stopped with mismatches"
        )
    for server in pact.servers:
        if server.port is not None and not server.matched:
            listed = "; ".join(str(m) for m in server.mismatches)
            return f"the mock server of {pact} was not matched: {listed}"
    return None


@pytest.fixture
def accord_pact(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str, str], Pact]]:
    """``accord_pact(consumer, provider)``: a fresh V4 ``Pact``, written only on success."""
    made: list[_TrackedPact] = []

    def make(consumer: str, provider: str) -> Pact:
        pact = _TrackedPact(consumer, provider)
        made.append(pact)
        return pact

    yield make
    call = request.node.stash.get(_REPORTS, {}).get("call")
    if call is None or not call.passed or not made:
        return
    for pact in made:
        problem = _unmatched(pact)
        if problem is not None:
            pytest.fail(f"accord_pact: {problem}", pytrace=False)
    folder = tmp_path_factory.mktemp("pact")
    for pact in made:
        pact.write_file(folder, overwrite=True)
    docs = [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]
    request.config.stash[_RUN].passed[request.node.nodeid] = docs


# accord_client -----------------------------------------------------------------------------
class _SyncASGITransport(httpx.BaseTransport):
    """Drives an ASGI app from a sync ``httpx.Client``, on an event loop in a helper thread."""

    def __init__(self, app: Any) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._portal_cm: AbstractContextManager[Any] = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_cm.__enter__()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._asgi.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        result: httpx.Response = self._portal.call(send)
        return result

    def close(self) -> None:
        self._portal_cm.__exit__(None, None, None)


def _client_classes(workspace: Workspace, service: str) -> tuple[type[Any], type[Any]]:
    if service not in workspace.services:
        known = ", ".join(sorted(workspace.services))
        pytest.fail(f"accord_client: no service {service!r} (services: {known})", pytrace=False)
    package = workspace.generated_dir.resolve()
    if str(package.parent) not in sys.path:
        sys.path.insert(0, str(package.parent))
    module = importlib.import_module(f"{package.name}.{service}.client")
    runtime = importlib.import_module(f"{package.name}.runtime")  # the clients' shared base
    found = [getattr(module, name) for name in getattr(module, "__all__", ())]
    sync = [c for c in found if isinstance(c, type) and issubclass(c, runtime.ClientBase)]
    asynchronous = [
        c for c in found if isinstance(c, type) and issubclass(c, runtime.AsyncClientBase)
    ]
    if not sync or not asynchronous:
        pytest.fail(f"accord_client: {module.__name__} has no generated clients", pytrace=False)
    return sync[0], asynchronous[0]


@pytest.fixture
def accord_client(accord_workspace: Workspace) -> Iterator[Callable[..., Any]]:
    """``accord_client(service, base_url=None, *, app=None, asynchronous=False, token=None)``.

    The generated ``<Service>Client`` (``Async<Service>Client`` with ``asynchronous``), bound
    to ``base_url`` (default: the service's port on 127.0.0.1) or, with ``app``, to an ASGI
    app in-process. Sync clients are closed after the test; close async ones in the test
    (``async with client:``), on its event loop.
    """
    opened: list[Callable[[], object]] = []

    def make(
        service: str,
        base_url: str | None = None,
        *,
        app: Any = None,
        asynchronous: bool = False,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sync_cls, async_cls = _client_classes(accord_workspace, service)
        url = base_url or (
            "http://testserver" if app is not None else
            accord_workspace.services[service].base_url()  # its `url:`, else its port
        )  # fmt: skip
        options: dict[str, Any] = {"token": token, "headers": headers}
        if asynchronous:
            if app is None:  # the client owns its httpx client: `async with` closes it
                return async_cls(url, **options)
            transport = httpx.ASGITransport(app=app)
            return async_cls(url, client=httpx.AsyncClient(transport=transport), **options)
        http = httpx.Client(transport=_SyncASGITransport(app) if app is not None else None)
        opened.append(http.close)
        return sync_cls(url, client=http, **options)

    yield make
    for close in reversed(opened):
        close()


# accord_mock -------------------------------------------------------------------------------
@dataclass(slots=True)
class RunningMock:
    """An Accord mock server running for one test."""

    service: str
    url: str
    app: MockApp

    def reset(self) -> None:
        """Forget every resource a stateful mock stored."""
        self.app.reset()


def _serve_in_thread(app: MockApp) -> tuple[str, Callable[[], None]]:
    import uvicorn  # noqa: PLC0415 - only tests that start a mock pay for it

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            pytest.fail("accord_mock: the mock server did not start", pytrace=False)
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture
def accord_mock(accord_workspace: Workspace) -> Iterator[Callable[..., RunningMock]]:
    """``accord_mock(service, **options)``: a mock of the service on a free port.

    ``options`` are :class:`accord.mock.MockConfig` fields (``seed``, ``stateful``,
    ``validate``, ...); the workspace's ``mocks/<service>.yaml`` applies when it exists.
    """
    stops: list[Callable[[], None]] = []

    def start(service: str, **options: Any) -> RunningMock:
        if service not in accord_workspace.services:
            known = ", ".join(sorted(accord_workspace.services))
            pytest.fail(f"accord_mock: no service {service!r} (services: {known})", pytrace=False)
        mock_file = accord_workspace.mocks_dir / f"{service}.yaml"
        app = MockApp(
            [(service, accord_workspace.contract(service))],
            MockConfig(**options),
            mock_files={service: mock_file} if mock_file.is_file() else None,
        )
        app.warm()
        url, stop = _serve_in_thread(app)
        stops.append(stop)
        return RunningMock(service, url, app)

    yield start
    for stop in reversed(stops):
        stop()
