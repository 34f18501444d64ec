"""The mock server: one ASGI app over one or more contracts."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from accord._asgi import answer_lifespan
from accord._errors import AccordError
from accord.core import Contract, PactFile
from accord.mock._asgi import ASGIApp, Receive, Scope, Send, send_bytes, send_json
from accord.mock._config import MockConfig
from accord.mock._docs import DOCS_PREFIX, Docs
from accord.mock._exchange import Service
from accord.mock._faults import InjectFaults
from accord.mock._mockfile import MockFile, load_mock_file
from accord.mock._pact_serve import PactResponder
from accord.mock._respond import Respond
from accord.mock._state import Stateful, Store, record_ids
from accord.mock._steps import (
    Authenticate,
    CheckParameters,
    Guard,
    ReadBody,
    RequestLog,
    Route,
)
from accord.workspace import MOCK_HEALTH_PATH

__all__ = ["HEALTH_PATH", "MockApp"]

RESET_PATH = "/__accord/reset"
#: ``GET``: 200 ``{"status": "ok", "warm": ...}`` once the mock serves
HEALTH_PATH = MOCK_HEALTH_PATH


class MockApp:
    """A pure ASGI application that answers for the operations of ``contracts``.

    With ``pacts`` it answers with their interactions instead (pact mode).

    Requests flow through an ordered list of small middlewares (see
    ``accord.mock._steps``); the paths of the contracts must not clash (the
    first contract whose paths match a request owns it).
    """

    def __init__(
        self,
        contracts: Sequence[Contract | tuple[str, Contract]],
        config: MockConfig | None = None,
        *,
        pacts: Sequence[PactFile] = (),
        mock_files: Mapping[str, str | Path] | None = None,
    ) -> None:
        self.config = config or MockConfig()
        self.pacts = list(pacts)
        self.services: list[Service] = []
        for i, item in enumerate(contracts):
            if isinstance(item, tuple):
                name, contract = item
            else:
                name, contract = item.title or f"api{i}", item
            self.services.append(Service(name, contract, self.config.seed))
        self.store = Store()
        for service in self.services:
            found = (mock_files or {}).get(service.name)
            if found is not None:
                self._apply(service, load_mock_file(found, service))
        self.docs = Docs(self.services)
        self._app = self._build()
        #: (warm-up pause, announcement) for when the server is up (see :meth:`when_served`)
        self._on_served: tuple[float | None, Callable[[], None] | None] | None = None
        #: every operation and its default answer are planned (see :meth:`warm`)
        self.warmed = False

    def _apply(self, service: Service, file: MockFile) -> None:
        service.scenarios = file.scenarios
        faults = self.config.faults
        self.config = replace(
            self.config,
            faults=replace(
                faults,
                services={
                    **faults.services,
                    **({service.name: file.faults} if file.faults else {}),
                },
                operations={**faults.operations, **file.operations},
            ),
        )
        for collection, records in file.records.items():
            found = record_ids(service.contract, collection, records)
            if isinstance(found, str):
                raise AccordError(f"{file.path}: records: {found}")
            template, keyed = found
            create = service.contract.operation("post", template)
            target = service.plan(create).default if create else None
            for ident, record in keyed.items():
                if target is not None and not target.accepts(record):
                    raise AccordError(
                        f"{file.path}: records: {collection} record {ident!r} does not match "
                        f"response {target.key} of {target.operation.name}"
                    )
            self.store.seed(collection, keyed)

    def _build(self) -> ASGIApp:
        config = self.config
        if self.pacts:  # pact mode: the interactions answer, the contracts are not consulted
            pact: ASGIApp = PactResponder(self.pacts, config.max_body_bytes)
            return RequestLog(Guard(pact), config.log)
        app: ASGIApp = Respond(config.seed)
        if config.stateful:
            app = Stateful(app, self.store, config)
        app = ReadBody(app, config)
        if config.faults.active:
            app = InjectFaults(app, config.faults, config.seed)
        app = CheckParameters(app, config)
        app = Authenticate(app)
        app = Route(app, self.services)
        app = Guard(app)
        return RequestLog(app, config.log)

    def warm(self, pause: float | None = None) -> int:
        """Plan every operation and its default answer now (servers call this at start).

        ``pause`` is for a warm-up in a background thread (see ``Service.warm``).
        """
        planned = sum(service.warm(pause) for service in self.services)
        self.warmed = True
        return planned

    def when_served(
        self, *, warm_pause: float | None = None, announce: Callable[[], None] | None = None
    ) -> None:
        """What to do once the server is up: at its lifespan start-up, which comes after its
        socket listens (else at the first request). ``announce`` says it serves (said
        earlier, a client could be refused); with ``warm_pause``, :meth:`warm` runs in a
        background thread (started earlier, its validator compilations shared the
        interpreter with the server's own start and delayed the first answer)."""
        self._on_served = (warm_pause, announce)

    def served(self) -> None:
        """The server is up: do what :meth:`when_served` asked for, once."""
        found, self._on_served = self._on_served, None
        if found is None:
            return
        pause, announce = found
        if announce is not None:
            announce()
        if pause is not None:
            name = "accord-mock-warm"
            threading.Thread(target=self.warm, args=(pause,), name=name, daemon=True).start()

    def reset(self) -> None:
        """Forget every stored resource (stateful mode)."""
        self.store.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._on_served is not None:
            self.served()
        kind = scope["type"]
        if kind == "lifespan":
            await answer_lifespan(receive, send)
            return
        if kind != "http":
            return
        path = scope.get("path", "")
        if path.startswith(DOCS_PREFIX):
            method = str(scope.get("method", ""))
            if path == RESET_PATH and method == "POST":
                self.reset()
                await send_bytes(send, 204, b"")
                return
            if path == HEALTH_PATH and method == "GET":
                await send_json(send, 200, {"status": "ok", "warm": self.warmed})
                return
            if self.docs.handles(method, path):
                await self.docs(scope, receive, send)
                return
        await self._app(scope, receive, send)
