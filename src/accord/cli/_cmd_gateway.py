"""``accord gateway`` serves the contract-driven gateway; ``accord up`` runs the whole workspace.

``accord up`` starts every service as ``accord.yaml`` says (``python -m <module> --port
<port> --db var/<name>.sqlite3``, or its ``command`` with ``{port}`` and ``{db}`` filled
in; a service with only a ``url`` already runs), or an ``accord mock`` for those named
with ``--mock``, then the gateway; it waits until
each answers, prints their URLs and keeps them running (``accord._process.Supervisor``):
a child that dies is reported and restarted with exponential backoff while the others
keep serving. Ctrl-C or SIGTERM stops every process it started.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from accord._errors import AccordError
from accord.cli._console import err_console

if TYPE_CHECKING:
    from accord.workspace import Workspace

READY_SECONDS = 60.0


def register(app: typer.Typer) -> None:
    app.command()(gateway)
    app.command()(up)


def _parse_upstreams(values: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values or []:
        name, sep, url = value.partition("=")
        if not sep or not name or not url.startswith(("http://", "https://")):
            raise typer.BadParameter(
                f"{value!r} is not NAME=http(s)://HOST:PORT", param_hint="--upstream"
            )
        out[name] = url
    return out


def gateway(
    port: Annotated[
        int | None, typer.Option(help="Port (default: gateway.port of accord.yaml).")
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    upstream: Annotated[
        list[str] | None,
        typer.Option(help="NAME=URL: where a service runs (default: 127.0.0.1:<its port>)."),
    ] = None,
    redis: Annotated[
        str | None,
        typer.Option(help="Share rate limits between instances in this Redis (redis://...)."),
    ] = None,
    workspace: Annotated[
        Path | None, typer.Option(help="The workspace (default: found from the current folder).")
    ] = None,
) -> None:
    """Serve the API gateway: routes, validation, JWT scopes and rate limits from the contracts."""
    from accord.cli._config import open_workspace  # noqa: PLC0415
    from accord.cli._serve import serve  # noqa: PLC0415
    from accord.gateway import GatewayApp, GatewayConfig, RedisLimiter  # noqa: PLC0415

    found = open_workspace(workspace)
    config = GatewayConfig.from_workspace(found, upstreams=_parse_upstreams(upstream))
    limiter = RedisLimiter(redis) if redis else None
    app = GatewayApp.from_workspace(found, config, limiter=limiter)
    app.warm()
    chosen = port if port is not None else (found.gateway.port if found.gateway else 8100)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    services = ", ".join(f"{n}={u}" for n, u in config.upstreams.items())
    err_console.print(f"accord gateway on http://{host}:{chosen} -> {services}", markup=False)
    # the gateway is the edge: granian reads no X-Forwarded-For, so the client address its
    # rate limits are keyed by is the peer's own
    serve(app, host, chosen, config.client_limits)


def up(
    mock: Annotated[
        list[str] | None, typer.Option(help="Serve this service as an Accord mock (repeatable).")
    ] = None,
    host: Annotated[str, typer.Option(help="Interface the gateway listens on.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Gateway port (default: gateway.port).")] = None,
    workspace: Annotated[
        Path | None, typer.Option(help="The workspace (default: found from the current folder).")
    ] = None,
) -> None:
    """Start every service (or its mock) and the gateway; Ctrl-C stops them all."""
    from accord._process import Process, Supervisor  # noqa: PLC0415
    from accord.cli._config import open_workspace  # noqa: PLC0415
    from accord.workspace import (  # noqa: PLC0415
        BROKER_ENV,
        SECRET_ENV,
        local_broker,
        service_environment,
        service_secret,
    )

    found = open_workspace(workspace)
    mocked = set(mock or [])
    unknown = sorted(mocked - set(found.services))
    if unknown:
        raise typer.BadParameter(f"no such service: {', '.join(unknown)}", param_hint="--mock")
    env = dict(os.environ)
    if not env.get(SECRET_ENV):
        err_console.print(f"accord up: {SECRET_ENV} is not set; using the development secret")
    env[SECRET_ENV] = service_secret()
    # the services get what verify gives its providers: none of the shell's settings that
    # point at other databases or brokers, only what is started here (Accord's own
    # processes, the mocks and the gateway, keep the whole environment)
    clean = {**service_environment(found), SECRET_ENV: env[SECRET_ENV]}
    broker = local_broker(found)
    if broker is not None:  # the event contracts' NATS server, started first
        env.setdefault(BROKER_ENV, broker.url)
        clean[BROKER_ENV] = env[BROKER_ENV]
    planned = _commands(found, mocked, host, port)
    children = [
        Process(
            child.name,
            child.argv,
            child.health,
            {**(clean if child.service else env), **child.env},
            child.cwd,
            ready_timeout=READY_SECONDS,
            require_2xx=child.require_2xx,
        )
        for child in planned
        if child.argv
    ]
    for child in planned:
        if not child.argv:
            err_console.print(f"accord up: {child.name} runs at {child.url} (not started here)")
    if broker is not None:
        nats = Process("nats", broker.argv, health=broker.health, env=env, cwd=found.root)
        children.insert(0, nats)

    def report(line: str) -> None:
        err_console.print(f"accord up: {line}", markup=False)

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    supervisor = Supervisor(children, report=report)
    # SIGINT too: a process started in the background inherits SIGINT ignored, and then
    # `kill -INT` (what Ctrl-C sends) would never stop it
    previous = {sig: signal.signal(sig, terminate) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        supervisor.start()
        if broker is not None:
            typer.echo(f"{'nats':12} {broker.url}")
        for child in planned:
            typer.echo(f"{child.name:12} {child.url}")
        typer.echo("all up; Ctrl-C stops everything")
        supervisor.run()
    except KeyboardInterrupt:
        err_console.print("accord up: stopping", markup=False)
    finally:
        supervisor.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@dataclass(slots=True, frozen=True)
class _Child:
    name: str
    url: str
    health: str
    argv: tuple[str, ...]  # empty: already running at ``url``
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    service: bool = False  # one of the workspace's services (started clean)
    require_2xx: bool = False  # ready on a 2xx from ``health`` only (else below 500)


def _commands(workspace: Workspace, mocked: set[str], host: str, port: int | None) -> list[_Child]:
    """What ``accord up`` runs: each service as accord.yaml says (or a mock), then the gateway."""
    from accord.workspace import MOCK_HEALTH_PATH, dependency_urls  # noqa: PLC0415

    python = sys.executable
    out: list[_Child] = []
    for name, spec in workspace.services.items():
        url = f"http://127.0.0.1:{spec.port}"
        if name in mocked:
            argv = (python, "-m", "accord", "mock", name, "--port", str(spec.port), "-q")
            health = url + MOCK_HEALTH_PATH
            out.append(
                _Child(f"{name} (mock)", url, health, argv, cwd=workspace.root, require_2xx=True)
            )
        elif spec.startable:
            suffix = "sqlite3" if spec.module else "db"
            db = workspace.root / "var" / f"{name}.{suffix}"
            launch = spec.launch(workspace.root, port=spec.port, db=db)
            own = {**launch.env, **dependency_urls(workspace, name)}  # mocks: on its port too
            out.append(
                _Child(name, url, launch.health, launch.argv, own, launch.cwd, True,
                       launch.require_2xx)
            )  # fmt: skip
        elif spec.url:
            out.append(_Child(name, spec.base_url(), spec.base_url() + spec.health, ()))
        else:
            raise AccordError(
                f"service {name!r} has no `module`, `command` or `url` in accord.yaml; "
                f"use --mock {name}"
            )
    chosen = port if port is not None else (workspace.gateway.port if workspace.gateway else 8100)
    gateway = (python, "-m", "accord", "gateway", "--port", str(chosen), "--host", host,
               "--workspace", str(workspace.manifest))  # fmt: skip
    url = f"http://{host}:{chosen}"
    out.append(_Child("gateway", url, url + "/readyz", gateway, cwd=workspace.root))
    return out
