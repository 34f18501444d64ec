"""``accord generate``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from accord.cli._config import WorkspaceOption


def register(app: typer.Typer) -> None:
    app.command()(generate)


def _say(message: str) -> None:
    """A status line on stderr (plain: rich would cost more to load than petstore's client)."""
    sys.stderr.write(message + "\n")


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def generate(
    services: Annotated[
        list[str] | None, typer.Argument(help="Services to generate (default: all).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if generated/ is stale.")
    ] = False,
    contract: Annotated[
        Path | None,
        typer.Option(help="Generate from this OpenAPI or AsyncAPI file instead of the workspace."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="With --contract: the package folder to write.")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            help="With --contract: the client's name (`--name petstore` gives PetstoreClient);"
            " default: the contract's info.title."
        ),
    ] = None,
    server: Annotated[
        bool, typer.Option(help="With --contract: also write the connexion server stub.")
    ] = True,
    models_only: Annotated[
        bool,
        typer.Option(
            "--models-only", help="With an AsyncAPI --contract: the models, no FastStream stubs."
        ),
    ] = False,
    workspace_path: WorkspaceOption = None,
) -> None:
    """Generate models, clients and server stubs from the contracts (into generated/)."""
    from accord.cli._config import open_workspace  # noqa: PLC0415
    from accord.cli._sniff import is_asyncapi  # noqa: PLC0415
    from accord.codegen import PARTS, check_workspace, generate_package, generate_workspace  # noqa: PLC0415
    from accord.core import Contract, LoadOptions  # noqa: PLC0415

    if contract is not None:
        if out is None:
            raise typer.BadParameter("--contract needs --out", param_hint="--out")
        if is_asyncapi(str(contract), LoadOptions()):
            written = _events_package(contract, out, models_only)
            _say(f"wrote {len(written)} file(s) in {_show(out)}")
            return
        parts = PARTS if server else ("models", "client")
        written = generate_package(
            Contract.from_path(contract), out.name, out, parts=parts, client_name=name
        )
        _say(f"wrote {len(written)} file(s) in {_show(out)}")
        return
    workspace = open_workspace(workspace_path)
    if check:
        result = check_workspace(workspace, services)
        if result.clean:
            _say("generated code is up to date")
            return
        for label, paths in (
            ("stale", result.stale),
            ("missing", result.missing),
            ("extra", result.extra),
        ):
            for path in paths:
                typer.echo(f"{_show(path)}: {label}")
        _say(
            "generated code does not match the contracts: run `accord generate`"
            " (or `make generate`) and commit the result"
        )
        raise typer.Exit(1)
    written = generate_workspace(workspace, services)
    for path in written:
        typer.echo(f"wrote {_show(path)}")
    _say(f"{len(written)} file(s) changed")


def _events_package(contract: Path, out: Path, models_only: bool) -> list[Path]:
    """An AsyncAPI document's package: models, and FastStream stubs unless ``models_only``."""
    from accord.codegen import EVENT_PARTS, generate_events_package  # noqa: PLC0415
    from accord.core import AsyncContract  # noqa: PLC0415

    parts = ("models",) if models_only else EVENT_PARTS
    return generate_events_package(AsyncContract.from_path(contract), out, parts=parts)
