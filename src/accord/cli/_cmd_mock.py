"""``accord mock``: serve mock servers for workspace services or contract files."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord._asgi import ServerLimits
from accord._errors import AccordError
from accord.cli._config import WorkspaceOption, load_tool_config
from accord.cli._console import err_console

if TYPE_CHECKING:
    from accord.core import LoadOptions, PactFile
    from accord.mock import MockApp, WatchedApp
    from accord.workspace import Workspace

DEFAULT_PORT = 8000
#: contracts with more operations than this are planned in the background, not before start
WARM_LIMIT = 150
#: seconds the background warm-up sleeps between operations, leaving the GIL to requests
WARM_PAUSE = 0.002
#: the client limits' defaults (flags change them)
LIMITS = ServerLimits()


def register(app: typer.Typer) -> None:
    app.command()(mock)


def mock(
    targets: Annotated[
        list[str] | None,
        typer.Argument(help="Workspace services or contract files (default: every service)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int | None,
        typer.Option(help="Port (default: the service's port for one service, else 8000)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of generated data.")] = 0,
    stateful: Annotated[
        bool, typer.Option("--stateful", help="Keep resources: POST creates, GET reads, ...")
    ] = False,
    no_validate: Annotated[
        bool, typer.Option("--no-validate", help="Do not check requests against the contract.")
    ] = False,
    max_body: Annotated[
        float, typer.Option("--max-body", help="Largest request body, in MiB (413 above).")
    ] = 1.0,
    from_pacts: Annotated[
        bool,
        typer.Option("--from-pacts", help="Answer with the workspace's pacts for the services."),
    ] = False,
    latency: Annotated[
        str | None,
        typer.Option(help="Delay: 50ms, uniform:10ms-200ms, normal:80ms,20ms, exponential:50ms."),
    ] = None,
    error_rate: Annotated[
        float, typer.Option(help="Share of requests answered 503 (0 to 1).", min=0, max=1)
    ] = 0.0,
    reset_rate: Annotated[
        float, typer.Option(help="Share of connections dropped mid-answer (0 to 1).", min=0, max=1)
    ] = 0.0,
    watch: Annotated[
        bool, typer.Option("--watch", help="Reload when a contract or mock file is saved.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No request log.")] = False,
    header_timeout: Annotated[
        float, typer.Option(help="Seconds a client may take to send its request headers.", min=0.1)
    ] = LIMITS.header_timeout,
    body_timeout: Annotated[
        float, typer.Option(help="Seconds a client may take to send a request body (408).", min=0.1)
    ] = LIMITS.body_timeout,
    max_connections: Annotated[
        int, typer.Option(help="Connections served at once; more wait until one closes.", min=1)
    ] = LIMITS.max_connections,
    workspace: WorkspaceOption = None,
    broker: Annotated[
        str | None,
        typer.Option(
            help="AsyncAPI documents: the broker to publish to and read from (nats://, "
            "redis://, amqp://; default: the one the document's servers name, on this machine)."
        ),
    ] = None,
    count: Annotated[
        int, typer.Option(help="AsyncAPI documents: messages published per sent channel.", min=0)
    ] = 1,
    rate: Annotated[
        float, typer.Option(help="AsyncAPI documents: messages a second, per channel.", min=0)
    ] = 10.0,
) -> None:
    """Serve mocks of contracts: validated requests, answers from examples or the schema.

    Pact files given as targets, or ``--from-pacts``, serve pact interactions instead.
    """
    from accord.cli._serve import serve  # noqa: PLC0415
    from accord.core import Contract, PactFile  # noqa: PLC0415
    from accord.mock import FaultPlan, Faults, Latency, MockApp, MockConfig, WatchedApp  # noqa: PLC0415

    tool = load_tool_config(workspace)
    options = tool.load_options()
    events = [t for t in targets or [] if _is_asyncapi(t, options)]
    if events:
        if len(events) != len(targets or []):
            raise typer.BadParameter("mock AsyncAPI documents in a run of their own")
        _mock_events(events, host, port, EventMockSettings(broker, count, rate, seed))
        return
    detected = {t: PactFile.detect(t, max_bytes=options.max_bytes) for t in targets or []}
    pacts = [found for found in detected.values() if found is not None]
    others = [t for t, found in detected.items() if found is None]
    pacts_port = DEFAULT_PORT
    if from_pacts:
        found, pacts_port = _workspace_pacts(others, workspace)
        pacts += found
        others = []
    if pacts and others:
        raise typer.BadParameter("pact mode serves pacts only; give contracts in another run")
    sources, default_port = _sources(others, workspace) if not pacts else ([], pacts_port)
    mock_files = _mock_files([name for name, _ in sources], workspace)
    try:
        delay = Latency.parse(latency) if latency else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--latency") from None
    faults = Faults(latency=delay, error_rate=error_rate, reset_rate=reset_rate)
    config = MockConfig(
        seed=seed,
        stateful=stateful,
        validate=not no_validate,
        max_body_bytes=int(max_body * 1024 * 1024),
        log=None if quiet else _log_line,
        faults=FaultPlan(forced=faults) if faults.active else FaultPlan(),
    )

    def build() -> MockApp:
        services = [(name, Contract.from_path(path, options)) for name, path in sources]
        return MockApp(services, config, pacts=pacts, mock_files=mock_files)

    app = build()
    operations = sum(len(s.contract.operations) for s in app.services)
    chosen = port if port is not None else default_port
    names = ", ".join(name for name, _ in sources) or f"{len(pacts)} pact file(s)"
    line = (
        f"accord mock: {names} ({operations} operation(s)) on http://{host}:{chosen}"
        f"{' [stateful]' if stateful else ''}"
    )
    warm_pause = None
    if operations <= WARM_LIMIT:
        app.warm()
    else:  # a big contract answers at once; its answers are planned once it is served
        warm_pause = WARM_PAUSE
    # said once the server listens: a client that waits for the line is not refused
    app.when_served(warm_pause=warm_pause, announce=lambda: err_console.print(line, markup=False))
    served: MockApp | WatchedApp = app
    if watch:
        watched = [f.path for service in app.services for f in service.contract.files]
        files = [*watched, *mock_files.values()]
        served = WatchedApp(build, files, _log_line, first=app, warm_pause=WARM_PAUSE)
    serve(served, host, chosen, ServerLimits(header_timeout, body_timeout, max_connections))


def _log_line(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _find_workspace(path: Path | None) -> Workspace | None:
    """The workspace at ``--workspace``, else the one found from the current folder, if any."""
    from accord.workspace import Workspace  # noqa: PLC0415

    return Workspace.from_path(path) if path is not None else Workspace.discover()


def _mock_files(names: list[str], path: Path | None = None) -> dict[str, Path]:
    """``mocks/<service>.yaml`` of the workspace, for the services that have one."""
    workspace = _find_workspace(path)
    if workspace is None:
        return {}
    found = {name: workspace.mocks_dir / f"{name}.yaml" for name in names}
    return {name: path for name, path in found.items() if path.is_file()}


def _workspace_pacts(services: list[str], path: Path | None = None) -> tuple[list[PactFile], int]:
    """The workspace's pacts with the services as provider, and the port to serve them on.

    The port is the provider's own when the pacts have one provider (as for ``accord
    mock --from-pacts orders``), so consumers find the mock where the service would be.
    """
    workspace = _find_workspace(path)
    if workspace is None:
        raise AccordError("--from-pacts needs a workspace (contracts/accord.yaml)")
    wanted = set(services or workspace.services)
    found = [p for p in workspace.pacts() if p.provider in wanted]
    if not found:
        raise AccordError(
            f"no pact in {workspace.pacts_dir} has {', '.join(sorted(wanted))} as its provider"
        )
    providers = {p.provider for p in found}
    port = DEFAULT_PORT
    if len(providers) == 1 and (spec := workspace.services.get(providers.pop())) is not None:
        port = spec.port
    return found, port


def _a_file(target: str) -> bool:
    """Whether ``target`` names a file rather than a service: a FIFO or a device too, which
    the loader then refuses with its own one-line message (not "no workspace here")."""
    path = Path(target)
    return path.is_file() or (path.exists() and not path.is_dir())


def _sources(targets: list[str], path: Path | None = None) -> tuple[list[tuple[str, Path]], int]:
    """Contract files for the targets (services or files), and the port to use by default."""
    workspace = None
    if not targets or any(not _a_file(t) for t in targets):
        workspace = _find_workspace(path)
        if workspace is None:
            raise AccordError(
                "no workspace here (contracts/accord.yaml) to look services up in; "
                "name contract files instead"
            )
    if not targets:
        assert workspace is not None
        targets = sorted(workspace.services)
    out: list[tuple[str, Path]] = []
    ports: list[int] = []
    for target in targets:
        path = Path(target)
        if _a_file(target):
            out.append((path.stem, path))
            continue
        assert workspace is not None
        spec = workspace.services.get(target)
        if spec is None:
            known = ", ".join(sorted(workspace.services))
            raise typer.BadParameter(
                f"{target!r} is neither a file nor a service of the workspace (services: {known})"
            )
        out.append((target, spec.contract))
        ports.append(spec.port)
    port = ports[0] if len(out) == 1 and ports else DEFAULT_PORT
    return out, port


@dataclass(slots=True, frozen=True)
class EventMockSettings:
    broker: str | None
    count: int
    rate: float
    seed: int


def _is_asyncapi(target: str, options: LoadOptions) -> bool:
    """A document file (not a service name) that is AsyncAPI, by the shared sniff."""
    from accord.cli._sniff import is_asyncapi  # noqa: PLC0415

    path = Path(target)
    if path.suffix.lower() not in (".yaml", ".yml", ".json") or not path.is_file():
        return False
    return is_asyncapi(target, options)


def _mock_events(
    targets: list[str], host: str, port: int | None, settings: EventMockSettings
) -> None:
    """One AsyncAPI document on its broker (NATS, Redis, RabbitMQ): publish what it sends,
    check what it receives."""
    import logging  # noqa: PLC0415

    from accord.cli._serve import serve  # noqa: PLC0415
    from accord.core import AsyncContract  # noqa: PLC0415
    from accord.mock import EventMock, EventMockConfig, choose_broker  # noqa: PLC0415

    if len(targets) != 1:
        raise typer.BadParameter("one AsyncAPI document per mock")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    contract = AsyncContract.from_path(targets[0], load_tool_config().load_options())
    try:
        broker = choose_broker(contract, settings.broker)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--broker") from None
    config = EventMockConfig(broker.url, settings.count, settings.rate, settings.seed)
    app = EventMock(contract, config)
    chosen = port if port is not None else DEFAULT_PORT
    err_console.print(
        f"accord mock: {targets[0]} on {broker.url} ({broker.why}); counters at "
        f"http://{host}:{chosen}/_accord/events",
        markup=False,
    )
    serve(app, host, chosen, LIMITS)
