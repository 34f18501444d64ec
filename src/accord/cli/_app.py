"""The ``accord`` command line (typer + rich). Exit codes: 0 ok, 1 findings, 2 usage/input error.

Each command lives in its own ``_cmd_<name>.py`` module with a ``register(app)``
function; every such module in this package is registered at import time, so a
feature adds its command without touching this file.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Annotated

import typer

from accord._errors import AccordError
from accord._version import __version__
from accord.cli._console import err_console

app = typer.Typer(
    name="accord",
    help="Contract-first API design and testing: lint, diff, generate, mock, verify.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"accord {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Accord: OpenAPI and Pact contracts as the single source of truth."""


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if info.name.startswith("_cmd_"):
            importlib.import_module(f"accord.cli.{info.name}").register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``accord`` console script; returns the exit code."""
    try:
        app(args=argv, prog_name="accord")  # usage errors: typer prints them and exits 2
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except AccordError as exc:
        err_console.print(f"accord: error: {exc}", markup=False)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


_register_commands()
